"""Pages of kpis."""

from django.urls import path

from . import views

app_name = "kpis"
urlpatterns = [
    path("kpis/", views.kpi_page, name="page"),
    path("kpis/export/", views.kpi_export, name="export"),
]
