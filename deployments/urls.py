from django.urls import path

from . import views

app_name = "deployments"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("releases/<str:identifier>/activities/<str:code>/", views.activity_page, name="activity"),
    path("releases/<str:identifier>/decisions/<str:kind>/", views.decide, name="decide"),
    path("releases/<str:identifier>/transitions/<str:name>/", views.transition, name="transition"),
]
