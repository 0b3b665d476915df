from django.urls import path

from . import deputy_views

app_name = "deputies"

urlpatterns = [
    path("", deputy_views.deputy_list, name="list"),
    path("<int:pk>/revoke/", deputy_views.deputy_revoke, name="revoke"),
]
