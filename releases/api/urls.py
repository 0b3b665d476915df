from django.urls import path
from rest_framework.routers import DefaultRouter

from .. import downloads
from . import activities, planning, types
from .views import ReleaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("releases", ReleaseViewSet, basename="release")
router.register("windows", planning.WindowViewSet, basename="window")

urlpatterns = [
    # the router's first: the list and a release, the most asked, are found before the
    # activities' and actions' forty patterns are tried (issue 17)
    *router.urls,
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
    path("releases/<str:identifier>/path/", types.PathView.as_view(), name="release-path"),
    path(
        "releases/<str:identifier>/activities/<str:code>/waive/",
        types.WaiveView.as_view(),
        name="release-waive",
    ),
    path(
        "releases/<str:identifier>/activities/<str:code>/catch-up/",
        types.CatchUpView.as_view(),
        name="release-catch-up",
    ),
    path("policies/", types.PoliciesView.as_view(), name="policy-list"),
    path("policies/<slug:code>/", types.PolicyView.as_view(), name="policy-detail"),
    path("files/<str:kind>/<int:pk>/", downloads.DownloadView.as_view(), name="api-download"),
    path(
        "releases/<str:identifier>/files/",
        downloads.ReleaseFilesView.as_view(),
        name="release-files",
    ),
]
