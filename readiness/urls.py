"""Pages of readiness."""

from django.urls import path

from . import views

app_name = "readiness"
urlpatterns = [
    path("releases/<str:identifier>/readiness/", views.readiness_section, name="section"),
    path("releases/<str:identifier>/checklist/", views.checklist, name="checklist"),
    path(
        "releases/<str:identifier>/checklist/<int:pk>/<slug:action>/",
        views.item_action,
        name="item_action",
    ),
    path("releases/<str:identifier>/runbook/", views.runbook, name="runbook"),
    path("releases/<str:identifier>/runbook/print/", views.runbook_print, name="runbook_print"),
    path(
        "releases/<str:identifier>/runbook/sections/",
        views.runbook_section,
        name="runbook_section",
    ),
    path(
        "releases/<str:identifier>/runbook/complete/",
        views.runbook_complete,
        name="runbook_complete",
    ),
    path("releases/<str:identifier>/board/", views.board, name="board"),
    path("releases/<str:identifier>/board/schedule/", views.board_schedule, name="board_schedule"),
    path(
        "releases/<str:identifier>/board/<int:pk>/outcome/",
        views.board_outcome,
        name="board_outcome",
    ),
    path("checklist-templates/", views.templates, name="templates"),
    path("checklist-templates/<int:pk>/", views.template_item, name="template_item"),
    path(
        "checklist-templates/<int:pk>/remove/",
        views.template_item_remove,
        name="template_item_remove",
    ),
]
