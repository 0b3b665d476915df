from rest_framework import serializers, viewsets

from ..models import Application


class ApplicationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Application
        fields = ["code", "name", "description"]


class ApplicationViewSet(viewsets.ReadOnlyModelViewSet):
    """Applications under release management."""

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    lookup_field = "code"
