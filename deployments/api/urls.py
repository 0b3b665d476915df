from django.urls import path

from . import views

urlpatterns = [
    path("releases/<str:identifier>/decisions/", views.DecisionsView.as_view(), name="decisions"),
    path(
        "releases/<str:identifier>/mass-notifications/",
        views.MassNotificationsView.as_view(),
        name="mass-notifications",
    ),
    path(
        "mass-notifications/<int:pk>/",
        views.MassNotificationView.as_view(),
        name="mass-notification",
    ),
]
