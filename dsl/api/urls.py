from django.urls import path

from . import cmdb
from .environments import (
    ApplicationsView,
    ApplicationView,
    EnvironmentHistoryView,
    EnvironmentsView,
    EnvironmentView,
)
from .library import LibraryView, MediaView, VerifyView
from .views import SubscriberImportView

urlpatterns = [
    path("dsl/<slug:code>/versions/", LibraryView.as_view(), name="dsl-versions"),
    path(
        "dsl/<slug:code>/versions/<str:identifier>/verify/",
        VerifyView.as_view(),
        name="dsl-verify",
    ),
    path(
        "dsl/<slug:code>/versions/<str:identifier>/media/",
        MediaView.as_view(),
        name="dsl-media",
    ),
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
    path("cmdb/tasks/", cmdb.CITasksView.as_view(), name="ci-tasks"),
    path("cmdb/items/<int:pk>/", cmdb.ConfigurationItemView.as_view(), name="ci-item"),
    path(
        "applications/<slug:code>/configuration-items/",
        cmdb.ConfigurationItemsView.as_view(),
        name="ci-items",
    ),
    path("cmdb/tasks/<int:pk>/", cmdb.CITaskView.as_view(), name="ci-task"),
    path("cmdb/tasks/<int:pk>/confirm/", cmdb.CITaskConfirmView.as_view(), name="ci-task-confirm"),
    path(
        "releases/<str:identifier>/baseline/",
        cmdb.ReleaseBaselineView.as_view(),
        name="release-baseline",
    ),
]
