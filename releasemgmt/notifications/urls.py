from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("applications/<slug:code>/subscribers/", views.subscribers, name="subscribers"),
    path("releases/<str:identifier>/mass-notification/", views.mass_notification, name="mass"),
    path("mass-notifications/<int:pk>/progress/", views.mass_progress, name="progress"),
]
