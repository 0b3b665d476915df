from django.urls import path

from . import views

urlpatterns = [
    *[
        path(
            f"releases/<str:identifier>/activities/{code}/", view.as_view(), name=f"activity-{code}"
        )
        for code, view in views.activity_views()
    ],
    *[
        path(f"releases/<str:identifier>/actions/{slug}/", view.as_view(), name=f"action-{slug}")
        for slug, view in views.action_views()
    ],
    path("releases/<str:identifier>/decisions/", views.DecisionsView.as_view(), name="decisions"),
    path(
        "releases/<str:identifier>/transitions/<str:name>/",
        views.TransitionView.as_view(),
        name="transition",
    ),
    path(
        "releases/<str:identifier>/communications/",
        views.CommunicationsView.as_view(),
        name="communications",
    ),
]
