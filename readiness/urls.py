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
    path("checklist-templates/", views.templates, name="templates"),
    path("checklist-templates/<int:pk>/", views.template_item, name="template_item"),
    path(
        "checklist-templates/<int:pk>/remove/",
        views.template_item_remove,
        name="template_item_remove",
    ),
]
