from rest_framework import serializers

from releasemgmt.api.serializers import GuardedSerializer

from ..models import Activity, Party


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
