from rest_framework.routers import DefaultRouter

from .views import ActivityViewSet, PartyViewSet

router = DefaultRouter()
router.register("raci/parties", PartyViewSet, basename="party")
router.register("raci/activities", ActivityViewSet, basename="activity")
urlpatterns = router.urls
