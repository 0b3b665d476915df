"""The calendar's query and its entries, as the OpenAPI schema documents them."""

from rest_framework import serializers

from raci.models import Party
from releasemgmt.api.serializers import GuardedSerializer
from releases.models import Application, ReleaseType, Stage

from ..calendar import LONGEST

TYPES = ["milestone", "package", "rfc", "blackout", "maintenance"]


class CalendarQuerySerializer(GuardedSerializer):
    """The range of the calendar and its filters."""

    start = serializers.DateTimeField(
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text="From (a date, or a date and time with its offset): the entries that end "
        "after it.",
    )
    end = serializers.DateTimeField(
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text=f"Until (excluded): the entries that start before it; at most "
        f"{LONGEST.days} days after the start.",
    )
    application = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Application.objects.all(),
        required=False,
        help_text="Only this application (its code): its releases, its changes, and the "
        "windows that hold for it.",
    )
    business_thread = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        required=False,
        help_text="Only this DG TAXUD business thread (its slug): the releases it is "
        "affected by, the changes they carry, and the windows that hold for it.",
    )
    release_type = serializers.ChoiceField(
        choices=ReleaseType.choices,
        required=False,
        help_text="Only the releases of this type (and the changes they carry).",
    )
    stage = serializers.ChoiceField(
        choices=Stage.choices,
        required=False,
        help_text="Only the releases at this stage (and the changes they carry).",
    )

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The end comes after the start."})
        if attrs["end"] - attrs["start"] > LONGEST:
            raise serializers.ValidationError(
                {"end": f"At most {LONGEST.days} days after the start."}
            )
        return attrs


class EntrySerializer(serializers.Serializer):
    id = serializers.CharField(
        help_text="Stable while the entry is: m<milestone>, p<release package>, r<RfC>, "
        "w<window>-<start> for each occurrence of a window."
    )
    type = serializers.ChoiceField(choices=TYPES, help_text="What the entry is.")
    kind = serializers.CharField(
        help_text="The milestone (delivery, kickoff, psat, sat, installation, conformance), "
        "the RfC's status, or the window's kind."
    )
    title = serializers.CharField(help_text="What the calendar shows.")
    start = serializers.CharField(
        help_text="ISO 8601: a date for an all-day entry, else a date and time with its offset."
    )
    end = serializers.CharField(help_text="ISO 8601, excluded (the day after an all-day one).")
    all_day = serializers.BooleanField(help_text="Planned by the day.")
    url = serializers.CharField(
        allow_null=True,
        help_text="Its page: the release's, the package's, the RfC's; none for a window.",
    )
    release = serializers.CharField(
        allow_null=True, help_text="The release's identifier (the RfC's carrying release)."
    )
    stage = serializers.CharField(allow_null=True, help_text="The release's stage.")
    cancelled = serializers.BooleanField(help_text="The release is cancelled.")
    conflict = serializers.BooleanField(
        help_text="An installation still to come with a conflict (another installation of "
        "the application or of its coordinator, a blackout, outside the maintenance "
        "windows, a change): its release page says which."
    )


class CalendarSerializer(serializers.Serializer):
    events = EntrySerializer(many=True, help_text="The entries of the range, by kind and start.")
    truncated = serializers.BooleanField(
        help_text="A kind of entry had more than its limit in the range: a filter or a "
        "shorter range shows the rest."
    )
