"""The release policies' pages, mounted at /policies/."""

from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    path("", views.policy_list, name="list"),
    path("<slug:code>/", views.policy_edit, name="edit"),
]
