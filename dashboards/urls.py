from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
