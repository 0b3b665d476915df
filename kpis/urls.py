"""Pages of kpis."""

from django.urls import path

from . import review_views, views

app_name = "kpis"
urlpatterns = [
    path("kpis/", views.kpi_page, name="page"),
    path("kpis/export/", views.kpi_export, name="export"),
    path("kpis/flow/", views.kpi_flow, name="flow"),
    path("kpis/reviews/", review_views.review_list, name="reviews"),
    path("kpis/reviews/<str:quarter>/", review_views.review, name="review"),
    path(
        "kpis/reviews/<str:quarter>/actions/<int:pk>/",
        review_views.move_action,
        name="review_action",
    ),
]
