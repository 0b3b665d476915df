"""API of kpis."""

from django.urls import path

from .reviews import QuarterlyActionView, QuarterlyReviewListView, QuarterlyReviewView
from .views import KpiFlowView, KpiView

urlpatterns = [
    path("kpis/", KpiView.as_view(), name="api-kpis"),
    path("kpis/flow/", KpiFlowView.as_view(), name="api-kpis-flow"),
    path("kpis/reviews/", QuarterlyReviewListView.as_view(), name="kpi-reviews"),
    path("kpis/reviews/<str:quarter>/", QuarterlyReviewView.as_view(), name="kpi-review"),
    path(
        "kpis/reviews/<str:quarter>/actions/<int:pk>/",
        QuarterlyActionView.as_view(),
        name="kpi-review-action",
    ),
]
