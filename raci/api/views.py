from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses

from .. import services
from ..models import Activity, Party
from .serializers import ActivitySerializer, PartySerializer, RaciCellSerializer


@extend_schema_view(
    list=extend_schema(responses={200: PartySerializer(many=True), **error_responses(401)}),
    retrieve=extend_schema(responses={200: PartySerializer, **error_responses(401, 404)}),
)
class PartyViewSet(viewsets.ReadOnlyModelViewSet):
    """The 16 parties of Table 4-1."""

    queryset = Party.objects.all()
    serializer_class = PartySerializer
    lookup_field = "slug"
    pagination_class = None


@extend_schema_view(
    list=extend_schema(responses={200: ActivitySerializer(many=True), **error_responses(401)}),
    retrieve=extend_schema(responses={200: ActivitySerializer, **error_responses(401, 404)}),
)
class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """The 24 activities of section 4.4 with their row of Table 4-1."""

    queryset = Activity.objects.prefetch_related("cells__party")
    serializer_class = ActivitySerializer
    lookup_field = "code"
    lookup_value_regex = "RM\\.[0-9]\\.[0-9]"
    pagination_class = None

    @extend_schema(
        request=RaciCellSerializer,
        responses={200: ActivitySerializer, **error_responses(400, 401, 403, 404, 415)},
    )
    @action(detail=True, methods=["put"], url_path="raci/(?P<party>[-a-z0-9]+)")
    def set_cell(self, request, code, party, format=None):
        """A process owner sets one cell of Table 4-1 (empty letters clear it)."""
        activity = self.get_object()
        party = get_object_or_404(Party, slug=party)
        serializer = RaciCellSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.set_raci_cell(
            by=request.user,
            activity=activity,
            party=party,
            letters=serializer.validated_data["letters"],
        )
        return Response(ActivitySerializer(self.get_queryset().get(pk=activity.pk)).data)
