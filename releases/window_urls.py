"""The blackout and maintenance windows' pages, mounted at /windows/."""

from django.urls import path

from . import views

app_name = "windows"

urlpatterns = [
    path("", views.window_list, name="list"),
    path("new/", views.window_create, name="create"),
    path("<int:pk>/edit/", views.window_edit, name="edit"),
    path("<int:pk>/delete/", views.window_delete, name="delete"),
]
