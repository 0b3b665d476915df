from django.urls import path

from .environments import (
    ApplicationsView,
    ApplicationView,
    EnvironmentHistoryView,
    EnvironmentsView,
    EnvironmentView,
)
from .views import SubscriberImportView

urlpatterns = [
    path(
        "applications/<slug:code>/subscribers/import/",
        SubscriberImportView.as_view(),
        name="subscriber-import",
    ),
    path("applications/", ApplicationsView.as_view(), name="application-list"),
    path("applications/<slug:code>/", ApplicationView.as_view(), name="application-detail"),
    path(
        "applications/<slug:code>/environments/",
        EnvironmentsView.as_view(),
        name="environment-list",
    ),
    path(
        "applications/<slug:code>/environments/<slug:env>/",
        EnvironmentView.as_view(),
        name="environment-detail",
    ),
    path(
        "applications/<slug:code>/environments/<slug:env>/history/",
        EnvironmentHistoryView.as_view(),
        name="environment-history",
    ),
]
