from django.urls import path

from .inbox import CountsView, MessageReadView, MessagesView, MessageUnreadView, ReadAllView
from .owed import OwedView
from .views import CalendarView

urlpatterns = [
    path("calendar/", CalendarView.as_view(), name="calendar"),
    path("messages/", MessagesView.as_view(), name="messages"),
    path("messages/counts/", CountsView.as_view(), name="messages-counts"),
    path("messages/read-all/", ReadAllView.as_view(), name="messages-read-all"),
    path("messages/<int:pk>/read/", MessageReadView.as_view(), name="message-read"),
    path("messages/<int:pk>/unread/", MessageUnreadView.as_view(), name="message-unread"),
    path("owed/", OwedView.as_view(), name="owed"),
]
