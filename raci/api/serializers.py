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

    class Meta:
        model = Activity
        fields = ["code", "name", "stage", "stage_name", "description", "raci"]

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
