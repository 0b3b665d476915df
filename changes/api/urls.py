from rest_framework.routers import DefaultRouter

from .views import CabMeetingViewSet, ChangeModelViewSet, RfCViewSet

router = DefaultRouter()
router.register("rfcs", RfCViewSet, basename="rfc")
router.register("cab-meetings", CabMeetingViewSet, basename="cabmeeting")
router.register("change-models", ChangeModelViewSet, basename="changemodel")
urlpatterns = router.urls
