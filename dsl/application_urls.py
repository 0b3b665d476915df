"""Applications and their environments, mounted at /applications/."""

from django.urls import path

from . import environment_views as views

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("new/", views.application_create, name="create"),
    path("<slug:code>/", views.application_detail, name="detail"),
    path("<slug:code>/edit/", views.application_edit, name="edit"),
    path("<slug:code>/environments/new/", views.environment_create, name="environment_create"),
    path("<slug:code>/environments/<slug:env>/", views.environment_detail, name="environment"),
    path(
        "<slug:code>/environments/<slug:env>/edit/",
        views.environment_edit,
        name="environment_edit",
    ),
]
