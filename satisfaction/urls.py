"""Pages of satisfaction."""

from django.urls import path

from . import views

app_name = "satisfaction"
urlpatterns = [
    path(
        "releases/<str:identifier>/satisfaction/",
        views.release_satisfaction,
        name="release",
    ),
    path("releases/<str:identifier>/satisfaction/answer/", views.answer, name="answer"),
]
