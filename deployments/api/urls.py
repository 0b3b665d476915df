from django.urls import path

from . import packages, plan, records, replies, views

urlpatterns = [
    path("replies/", replies.RepliesView.as_view(), name="replies"),
    path("releases/<str:identifier>/plan/", records.PlanView.as_view(), name="deployment-plan"),
    path(
        "releases/<str:identifier>/plan/revisions/",
        plan.PlanRevisionsView.as_view(),
        name="deployment-plan-revisions",
    ),
    path(
        "releases/<str:identifier>/plan/compare/",
        plan.PlanComparisonView.as_view(),
        name="deployment-plan-compare",
    ),
    path("releases/<str:identifier>/kickoff/", records.KickOffView.as_view(), name="kickoff"),
    path("releases/<str:identifier>/closure/", records.ClosureView.as_view(), name="closure"),
    path("releases/<str:identifier>/decisions/", views.DecisionsView.as_view(), name="decisions"),
    path(
        "releases/<str:identifier>/conflicts/",
        views.ConflictsView.as_view(),
        name="release-conflicts",
    ),
    path(
        "releases/<str:identifier>/mass-notifications/",
        views.MassNotificationsView.as_view(),
        name="mass-notifications",
    ),
    path("packages/", packages.PackagesView.as_view(), name="package-list"),
    path("packages/<int:pk>/", packages.PackageView.as_view(), name="package-detail"),
    path(
        "packages/<int:pk>/releases/",
        packages.PackageReleasesView.as_view(),
        name="package-releases",
    ),
    path(
        "packages/<int:pk>/releases/<str:identifier>/",
        packages.PackageReleaseView.as_view(),
        name="package-release",
    ),
    path(
        "mass-notifications/<int:pk>/",
        views.MassNotificationView.as_view(),
        name="mass-notification",
    ),
]
