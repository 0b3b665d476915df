from django.urls import path

from . import inbox_views, views

app_name = "dashboards"

urlpatterns = [
    path("start/<slug:part>/", views.start_part, name="start_part"),
    path("approvals/", views.approvals, name="approvals"),
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/feed/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("messages/", inbox_views.inbox, name="inbox"),
    path("messages/counts/", inbox_views.counts, name="inbox_counts"),
    path("messages/read-all/", inbox_views.mark_all_read, name="inbox_read_all"),
    path("messages/<int:pk>/", inbox_views.message, name="message"),
    path("messages/<int:pk>/unread/", inbox_views.mark_unread, name="message_unread"),
]
