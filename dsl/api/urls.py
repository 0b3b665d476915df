from django.urls import path
from rest_framework.routers import DefaultRouter

from . import cmdb
from .views import ApplicationViewSet, SubscriberImportView

router = DefaultRouter()
router.register("applications", ApplicationViewSet, basename="application")
urlpatterns = [
    path(
        "applications/<slug:code>/subscribers/import/",
        SubscriberImportView.as_view(),
        name="subscriber-import",
    ),
    path("cmdb/tasks/", cmdb.CITasksView.as_view(), name="ci-tasks"),
    path("cmdb/tasks/<int:pk>/", cmdb.CITaskView.as_view(), name="ci-task"),
    path("cmdb/tasks/<int:pk>/confirm/", cmdb.CITaskConfirmView.as_view(), name="ci-task-confirm"),
    path(
        "releases/<str:identifier>/baseline/",
        cmdb.ReleaseBaselineView.as_view(),
        name="release-baseline",
    ),
    *router.urls,
]
