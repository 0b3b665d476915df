from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets

from releasemgmt.errors import error_responses

from ..models import Application


class ApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = ["code", "name", "description"]


@extend_schema_view(
    list=extend_schema(
        responses={200: ApplicationSerializer(many=True), **error_responses(401, 404)}
    ),
    retrieve=extend_schema(responses={200: ApplicationSerializer, **error_responses(401, 404)}),
)
class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications under release management."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    lookup_field = "code"
