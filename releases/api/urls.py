from django.urls import path
from rest_framework.routers import DefaultRouter

from .. import downloads
from . import activities, planning
from .views import ReleaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("releases", ReleaseViewSet, basename="release")
router.register("windows", planning.WindowViewSet, basename="window")

urlpatterns = [
    *[
        path(
            f"releases/<str:identifier>/activities/{code}/", view.as_view(), name=f"activity-{code}"
        )
        for code, view in activities.activity_views()
    ],
    *[
        path(f"releases/<str:identifier>/actions/{slug}/", view.as_view(), name=f"action-{slug}")
        for slug, view in activities.action_views()
    ],
    path(
        "releases/<str:identifier>/transitions/",
        activities.TransitionsView.as_view(),
        name="transitions",
    ),
    path(
        "releases/<str:identifier>/transitions/<str:name>/",
        activities.TransitionView.as_view(),
        name="transition",
    ),
    path(
        "releases/<str:identifier>/communications/",
        activities.CommunicationsView.as_view(),
        name="communications",
    ),
    path(
        "releases/<str:identifier>/milestones/",
        planning.MilestonesView.as_view(),
        name="release-milestones",
    ),
    path("files/<str:kind>/<int:pk>/", downloads.DownloadView.as_view(), name="api-download"),
    path(
        "releases/<str:identifier>/files/",
        downloads.ReleaseFilesView.as_view(),
        name="release-files",
    ),
    *router.urls,
]
