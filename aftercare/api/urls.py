"""API of aftercare."""

from django.urls import path

from . import views

R = "releases/<str:identifier>/hypercare/"
urlpatterns = [
    path(R, views.HypercareView.as_view(), name="hypercare"),
    path(f"{R}incidents/", views.IncidentsView.as_view(), name="hypercare-incidents"),
    path(
        f"{R}incidents/<str:reference>/resolve/",
        views.ResolveIncidentView.as_view(),
        name="hypercare-incident-resolve",
    ),
    path(f"{R}close/", views.CloseHypercareView.as_view(), name="hypercare-close"),
]
