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
    path("checklist-templates/", views.TemplatesView.as_view(), name="checklist-template-list"),
    path(
        "checklist-templates/items/<int:pk>/",
        views.TemplateItemView.as_view(),
        name="checklist-template-item",
    ),
]
