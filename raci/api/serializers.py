from django.contrib.auth import get_user_model
from rest_framework import serializers

from releasemgmt.api.serializers import GuardedSerializer

from ..models import Activity, Organisation, Party


class PartySerializer(serializers.ModelSerializer):
    class Meta:
        model = Party
        fields = ["slug", "name", "kind", "holder", "position"]


class ActivitySerializer(serializers.ModelSerializer):
    raci = serializers.SerializerMethodField()
    waivable_for = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = ["code", "name", "stage", "stage_name", "description", "raci", "waivable_for"]

    def get_waivable_for(self, obj) -> list[str]:
        """The release types that may waive it (and catch it up after installation)."""
        return sorted(w.release_type for w in obj.waivers.all())

    def get_raci(self, obj) -> dict[str, str]:
        """Party name -> letters, for the non-empty cells of the activity's row."""
        return {c.party.name: c.letters for c in obj.cells.all()}


class RaciCellSerializer(GuardedSerializer):
    letters = serializers.CharField(allow_blank=True, max_length=4)


class OrganisationSerializer(serializers.ModelSerializer):
    """A 3rd party developer organisation (RM.1.2 names it by ``name``)."""

    class Meta:
        model = Organisation
        fields = ["name"]


class PersonSerializer(serializers.ModelSerializer):
    """Someone a form can name (by ``username``): a deployment coordinator, an
    assignee, a campaign coordinator."""

    full_name = serializers.CharField(source="get_full_name")
    parties = serializers.SerializerMethodField()

    class Meta:
        model = get_user_model()
        fields = ["username", "full_name", "parties"]

    def get_parties(self, obj) -> list[str]:
        return [g.party.slug for g in obj.groups.all() if hasattr(g, "party")]


class WaivableSerializer(GuardedSerializer):
    waivable = serializers.BooleanField(
        help_text="Whether releases of this type may waive the activity."
    )


class ReleaseTypeSerializer(serializers.Serializer):
    """A release type and what it changes in the path (issue 12 point 5)."""

    code = serializers.CharField()
    label = serializers.CharField()
    summary = serializers.CharField()
    notification_lead_hours = serializers.IntegerField()
    emergency_cab = serializers.BooleanField()
    post_release_review = serializers.BooleanField()
    planned_ahead = serializers.BooleanField()
    hypercare_days = serializers.IntegerField(
        help_text="Days of hypercare after go-live (an application's policy may say otherwise)."
    )
    waivable = serializers.ListField(child=serializers.CharField())
