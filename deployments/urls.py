from django.urls import path

from . import views

app_name = "deployments"

urlpatterns = [
    path("releases/<str:identifier>/decisions/<str:kind>/", views.decide, name="decide"),
    path("releases/<str:identifier>/mass-notification/", views.mass_notification, name="mass"),
    path("releases/<str:identifier>/conflicts/", views.release_conflicts, name="conflicts"),
    path("releases/<str:identifier>/deployment-plan/", views.deployment_plan, name="plan"),
    path("releases/<str:identifier>/configuration/", views.configuration, name="configuration"),
    path(
        "releases/<str:identifier>/deployment-plan/revise/",
        views.revise_plan,
        name="revise_plan",
    ),
    path(
        "releases/<str:identifier>/deployment-plan/compare/",
        views.compare_plan,
        name="compare_plan",
    ),
    path("mass-notifications/<int:pk>/progress/", views.mass_progress, name="mass_progress"),
]
