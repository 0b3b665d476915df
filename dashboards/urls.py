from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
]
