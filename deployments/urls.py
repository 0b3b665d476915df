from django.urls import path

from . import reply_views, views

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
    path("replies/", reply_views.queue, name="replies"),
    path("replies/<int:pk>/", reply_views.reply, name="reply"),
    path("replies/<int:pk>/raw/", reply_views.reply_raw, name="reply_raw"),
    path("replies/<int:pk>/record/", reply_views.record, name="reply_record"),
    path("replies/<int:pk>/dismiss/", reply_views.dismiss, name="reply_dismiss"),
    path("mass-notifications/<int:pk>/progress/", views.mass_progress, name="mass_progress"),
]
