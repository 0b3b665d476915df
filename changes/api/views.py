from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from raci.services import visible_releases

from .. import services
from ..models import RfC


class RfCSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release.identifier", read_only=True, default=None)

    class Meta:
        model = RfC
        fields = [
            "reference",
            "title",
            "status",
            "cab_decision",
            "release",
            "complementary",
            "created_at",
            "implemented_at",
        ]
        read_only_fields = [
            "status",
            "cab_decision",
            "complementary",
            "created_at",
            "implemented_at",
        ]


class CabDecisionSerializer(serializers.Serializer):
    cab_decision = serializers.ChoiceField(choices=["approved", "rejected"])


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
    filterset_fields = ["status", "cab_decision"]

    def get_queryset(self):
        user = self.request.user
        qs = RfC.objects.select_related("release").order_by("reference")
        if user.has_perm("releases.view_release"):
            return qs
        return qs.filter(release__in=visible_releases(user))

    def perform_create(self, serializer):
        serializer.instance = services.register_rfc(
            by=self.request.user, **serializer.validated_data
        )

    @extend_schema(request=CabDecisionSerializer, responses=RfCSerializer)
    @action(detail=True, methods=["post"], url_path="cab-decision")
    def cab_decision(self, request, reference, format=None):
        """Record the CAB's decision on the RfC (ITSM Change Manager)."""
        rfc = self.get_object()
        body = CabDecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.record_cab_decision(rfc, by=request.user, **body.validated_data)
        return Response(RfCSerializer(rfc).data)
