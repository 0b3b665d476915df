from rest_framework.routers import DefaultRouter

from .views import ReleaseViewSet

router = DefaultRouter(trailing_slash=True)
router.register("releases", ReleaseViewSet, basename="release")
urlpatterns = router.urls
