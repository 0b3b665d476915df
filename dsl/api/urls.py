from django.urls import path
from rest_framework.routers import DefaultRouter

from .library import LibraryView, MediaView, VerifyView
from .views import ApplicationViewSet, SubscriberImportView

router = DefaultRouter()
router.register("applications", ApplicationViewSet, basename="application")
urlpatterns = [
    path("dsl/<slug:code>/versions/", LibraryView.as_view(), name="dsl-versions"),
    path(
        "dsl/<slug:code>/versions/<str:identifier>/verify/",
        VerifyView.as_view(),
        name="dsl-verify",
    ),
    path(
        "dsl/<slug:code>/versions/<str:identifier>/media/",
        MediaView.as_view(),
        name="dsl-media",
    ),
    path(
        "applications/<slug:code>/subscribers/import/",
        SubscriberImportView.as_view(),
        name="subscriber-import",
    ),
    *router.urls,
]
