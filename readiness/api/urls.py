"""API of readiness."""

from django.urls import path

from . import views

urlpatterns = [
    path(
        "releases/<str:identifier>/checklist/",
        views.ChecklistView.as_view(),
        name="release-checklist",
    ),
    path(
        "releases/<str:identifier>/checklist/<int:pk>/confirm/",
        views.ConfirmItemView.as_view(),
        name="checklist-item-confirm",
    ),
    path(
        "releases/<str:identifier>/checklist/<int:pk>/waive/",
        views.WaiveItemView.as_view(),
        name="checklist-item-waive",
    ),
    path(
        "releases/<str:identifier>/checklist/<int:pk>/carry/",
        views.CarryItemView.as_view(),
        name="checklist-item-carry",
    ),
    path("releases/<str:identifier>/runbook/", views.RunbookView.as_view(), name="release-runbook"),
    path(
        "releases/<str:identifier>/runbook/sections/",
        views.RunbookSectionView.as_view(),
        name="runbook-section",
    ),
    path(
        "releases/<str:identifier>/runbook/complete/",
        views.RunbookCompleteView.as_view(),
        name="runbook-complete",
    ),
    path("releases/<str:identifier>/boards/", views.BoardsView.as_view(), name="release-boards"),
    path(
        "releases/<str:identifier>/boards/<int:pk>/outcome/",
        views.BoardOutcomeView.as_view(),
        name="board-outcome",
    ),
    path("checklist-templates/", views.TemplatesView.as_view(), name="checklist-template-list"),
    path(
        "checklist-templates/items/<int:pk>/",
        views.TemplateItemView.as_view(),
        name="checklist-template-item",
    ),
]
