from django.urls import path
from rest_framework.routers import DefaultRouter

from .views import ApplicationViewSet, SubscriberImportView

router = DefaultRouter()
router.register("applications", ApplicationViewSet, basename="application")
urlpatterns = [
    path(
        "applications/<slug:code>/subscribers/import/",
        SubscriberImportView.as_view(),
        name="subscriber-import",
    ),
    *router.urls,
]
