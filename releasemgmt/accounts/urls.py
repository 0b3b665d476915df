from django.urls import path

from . import link_views, views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/new/", views.token_create, name="token_create"),
    path("tokens/<str:token_key>/revoke/", views.token_revoke, name="token_revoke"),
    path("calendar/", views.calendar_feed, name="calendar_feed"),
    path("links/<str:token>/", link_views.personal_link, name="personal_link"),
    path("calendar/regenerate/", views.calendar_feed_regenerate, name="calendar_feed_regenerate"),
]
