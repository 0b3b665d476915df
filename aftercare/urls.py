"""Pages of aftercare."""

from django.urls import path

from . import views

app_name = "aftercare"
urlpatterns = [
    path("releases/<str:identifier>/hypercare/", views.hypercare, name="hypercare"),
    path(
        "releases/<str:identifier>/hypercare/incidents/",
        views.record_incident,
        name="incident_create",
    ),
    path(
        "releases/<str:identifier>/hypercare/incidents/<str:reference>/resolve/",
        views.resolve_incident,
        name="incident_resolve",
    ),
    path("releases/<str:identifier>/hypercare/close/", views.close_hypercare, name="close"),
    path(
        "releases/<str:identifier>/hypercare/rollback/",
        views.trigger_rollback,
        name="rollback",
    ),
    path("releases/<str:identifier>/review/", views.review, name="review"),
    path("releases/<str:identifier>/review/actions/", views.add_action, name="action_create"),
    path(
        "releases/<str:identifier>/review/actions/<int:pk>/",
        views.move_action,
        name="action_move",
    ),
    path("releases/<str:identifier>/review/lessons/", views.add_lesson, name="lesson_create"),
    path("lessons/", views.lesson_list, name="lessons"),
    path("lessons/latest/", views.latest_lessons, name="lessons_latest"),
]
