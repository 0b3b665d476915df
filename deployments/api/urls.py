from django.urls import path

from . import plan, records, views

urlpatterns = [
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
    path(
        "mass-notifications/<int:pk>/",
        views.MassNotificationView.as_view(),
        name="mass-notification",
    ),
]
