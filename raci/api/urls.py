from django.urls import path
from rest_framework.routers import DefaultRouter

from .deputies import DeputiesView, RevokeDeputyView
from .views import (
    ActivityViewSet,
    OrganisationMembersView,
    OrganisationMemberView,
    OrganisationViewSet,
    PartyViewSet,
    PeopleView,
    ReleaseTypesView,
)

router = DefaultRouter()
router.register("raci/parties", PartyViewSet, basename="party")
router.register("raci/activities", ActivityViewSet, basename="activity")
router.register("raci/organisations", OrganisationViewSet, basename="organisation")
urlpatterns = [
    path("deputies/", DeputiesView.as_view(), name="deputies"),
    path("deputies/<int:pk>/revoke/", RevokeDeputyView.as_view(), name="deputy-revoke"),
    path("raci/people/", PeopleView.as_view(), name="people"),
    path("raci/release-types/", ReleaseTypesView.as_view(), name="release-types"),
    path(
        "raci/organisations/<str:name>/members/",
        OrganisationMembersView.as_view(),
        name="organisation-members",
    ),
    path(
        "raci/organisations/<str:name>/members/<str:username>/",
        OrganisationMemberView.as_view(),
        name="organisation-member",
    ),
    *router.urls,
]
