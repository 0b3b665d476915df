"""What aftercare's API answers (the request bodies are the pages' forms)."""

from rest_framework import serializers

from ..models import Hypercare, Incident


class IncidentSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    blocks_exit = serializers.BooleanField(
        read_only=True, help_text="An open major, P1 or P2 incident: hypercare stays open."
    )

    class Meta:
        model = Incident
        fields = [
            "reference",
            "title",
            "priority",
            "major",
            "caused_by_release",
            "opened_at",
            "resolved_at",
            "blocks_exit",
            "recorded_by",
            "recorded_at",
        ]


class CriterionSerializer(serializers.Serializer):
    name = serializers.CharField()
    met = serializers.BooleanField()
    detail = serializers.CharField()


class MomentSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    what = serializers.CharField()
    who = serializers.CharField()


class HypercareSerializer(serializers.ModelSerializer):
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hypercare
        fields = [
            "started_at",
            "days",
            "ends_at",
            "is_open",
            "closed_at",
            "closed_by",
            "close_reason",
            "unmet_at_close",
            "override_reason",
        ]


class HypercareStateSerializer(serializers.Serializer):
    """A release's hypercare: null before go-live (RM.6.5)."""

    hypercare = HypercareSerializer(allow_null=True)
    incidents = IncidentSerializer(many=True)
    criteria = CriterionSerializer(many=True, help_text="The exit criteria, met or not.")
    timeline = MomentSerializer(many=True)
    rolled_back_at = serializers.DateTimeField(allow_null=True, required=False)
    may_record = serializers.BooleanField(required=False)
    may_close = serializers.BooleanField(required=False)
