import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from raci import permissions
from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedModelSerializer, GuardedSerializer
from releasemgmt.forms import GuardedForm
from releases.selectors import visible_releases

from .. import services
from ..models import RfC


class RfCSerializer(GuardedModelSerializer):
    release = serializers.CharField(
        source="release.identifier", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = RfC
        fields = [
            "reference",
            "title",
            "status",
            "release",
            "complementary",
            "created_at",
            "implemented_at",
        ]
        read_only_fields = [
            "status",
            "complementary",
            "created_at",
            "implemented_at",
        ]


class CabDecisionSerializer(GuardedSerializer):
    cab_decision = serializers.ChoiceField(choices=["approved", "rejected"])


class RfCFilter(django_filters.FilterSet):
    class Meta:
        model = RfC
        fields = ["status", "change_type"]
        form = GuardedForm


@extend_schema_view(
    list=extend_schema(responses={200: RfCSerializer(many=True), **error_responses(400, 401, 404)}),
    create=extend_schema(responses={201: RfCSerializer, **error_responses(400, 401, 403, 415)}),
    retrieve=extend_schema(responses={200: RfCSerializer, **error_responses(401, 404)}),
)
class RfCViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Requests for change: ITSM staff see all; others those of their releases."""

    serializer_class = RfCSerializer
    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    filterset_class = RfCFilter

    def get_queryset(self):
        user = self.request.user
        qs = RfC.objects.select_related("release").order_by("reference")
        if permissions.sees_all_releases(user):
            return qs
        return qs.filter(release__in=visible_releases(user))

    def perform_create(self, serializer):
        serializer.instance = services.register_rfc(
            by=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        request=CabDecisionSerializer,
        responses={200: RfCSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"], url_path="cab-decision")
    def cab_decision(self, request, reference, format=None):
        """Record the CAB's decision on the RfC (ITSM Change Manager)."""
        rfc = self.get_object()
        body = CabDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        rfc = services.record_cab_decision(rfc, by=request.user, **body.validated_data)
        return Response(RfCSerializer(rfc).data)
