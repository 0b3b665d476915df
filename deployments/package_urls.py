from django.urls import path

from . import package_views as views

app_name = "packages"

urlpatterns = [
    path("", views.package_list, name="list"),
    path("new/", views.package_create, name="create"),
    path("<int:pk>/", views.package_detail, name="detail"),
    path("<int:pk>/edit/", views.package_edit, name="edit"),
    path(
        "<int:pk>/releases/<str:identifier>/remove/",
        views.package_remove_release,
        name="remove_release",
    ),
]
