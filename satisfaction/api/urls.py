"""API of satisfaction."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "releases/<str:identifier>/satisfaction/",
        views.SatisfactionView.as_view(),
        name="release-satisfaction",
    ),
]
