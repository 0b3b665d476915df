from rest_framework.routers import DefaultRouter

from .views import RfCViewSet

router = DefaultRouter()
router.register("rfcs", RfCViewSet, basename="rfc")
urlpatterns = router.urls
