from django.urls import path

from . import views

app_name = "dsl"

urlpatterns = [
    path("applications/<slug:code>/subscribers/", views.subscribers, name="subscribers"),
]
