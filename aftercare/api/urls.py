"""API of aftercare."""

from django.urls import path

from . import views

R = "releases/<str:identifier>/hypercare/"
urlpatterns = [
    path(R, views.HypercareView.as_view(), name="hypercare"),
    path(f"{R}incidents/", views.IncidentsView.as_view(), name="hypercare-incidents"),
    path(
        f"{R}incidents/<str:reference>/resolve/",
        views.ResolveIncidentView.as_view(),
        name="hypercare-incident-resolve",
    ),
    path(f"{R}close/", views.CloseHypercareView.as_view(), name="hypercare-close"),
    path(f"{R}rollback/", views.TriggerRollbackView.as_view(), name="hypercare-rollback"),
    # the post-release review (it replaced the bare note of issue 12 at the same address)
    path("releases/<str:identifier>/review/", views.ReviewView.as_view(), name="release-review"),
    path(
        "releases/<str:identifier>/review/actions/",
        views.ActionsView.as_view(),
        name="review-actions",
    ),
    path(
        "releases/<str:identifier>/review/actions/<int:pk>/",
        views.ActionView.as_view(),
        name="review-action",
    ),
    path(
        "releases/<str:identifier>/review/lessons/",
        views.LessonsView.as_view(),
        name="review-lessons",
    ),
    path("lessons/", views.LessonListView.as_view(), name="lesson-list"),
]
