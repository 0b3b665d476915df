"""The calendar's query and its entries, and the inbox's messages and counts, as the
OpenAPI schema documents them."""

from rest_framework import serializers

from raci.models import Party
from releasemgmt.api.serializers import GuardedSerializer
from releasemgmt.notifications.models import Communication
from releases.models import Application, ReleaseType, Stage

from ..calendar import BUSIEST_DAY, LAYERS, LONGEST, LONGEST_BY_DAY
from ..inbox import LAST_PAGE, release_problem

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

    layer = serializers.ChoiceField(
        choices=list(LAYERS),
        required=False,
        help_text="Only this layer: "
        + "; ".join(f"{name}, {what}" for name, what in LAYERS.items())
        + ". Without it, every layer.",
    )
    per_day = serializers.IntegerField(
        min_value=1,
        max_value=BUSIEST_DAY,
        required=False,
        help_text="Day by day: of each kind of entry, only the first this many of each day "
        "by their start (the day it starts, in the service's time zone; one begun before "
        "the range on the range's first day), and in ``more`` how many more each day holds; "
        f"for a range of at most {LONGEST_BY_DAY.days} days. The limits then cut the days' "
        "firsts (``truncated``). Without it, every entry up to the limits, the earliest first.",
    )

    def validate(self, attrs):
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The end comes after the start."})
        if attrs["end"] - attrs["start"] > LONGEST:
            raise serializers.ValidationError(
                {"end": f"At most {LONGEST.days} days after the start."}
            )
        if "per_day" in attrs and attrs["end"] - attrs["start"] > LONGEST_BY_DAY:
            raise serializers.ValidationError(
                {"per_day": f"Day by day for a range of at most {LONGEST_BY_DAY.days} days."}
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


class MoreSerializer(serializers.Serializer):
    date = serializers.DateField(help_text="The day (in the service's time zone).")
    layer = serializers.ChoiceField(choices=list(LAYERS), help_text="The layer of the entries.")
    count = serializers.IntegerField(
        help_text="How many more of the layer's entries start that day (or, on the range's "
        "first day, began before it): the day's own range shows them all."
    )


class CalendarSerializer(serializers.Serializer):
    events = EntrySerializer(many=True, help_text="The entries of the range, by kind and start.")
    truncated = serializers.BooleanField(
        help_text="A kind of entry had more than its limit in the range: a filter or a "
        "shorter range shows the rest."
    )
    more = MoreSerializer(
        many=True,
        help_text="Asked day by day (``per_day``): the days that hold more entries than "
        "shown, by day and layer. Otherwise empty.",
    )


# --- the inbox -------------------------------------------------------------------------

YES = [("yes", "yes")]


class InboxQuerySerializer(GuardedSerializer):
    """The inbox's filters and its page, as on the page."""

    release = serializers.CharField(
        max_length=60, required=False, help_text="Only the messages about this release."
    )
    kind = serializers.ChoiceField(
        choices=Communication.Kind.choices, required=False, help_text="Only this kind."
    )
    unread = serializers.ChoiceField(choices=YES, required=False, help_text="Only the unread.")
    needs_action = serializers.ChoiceField(
        choices=YES,
        required=False,
        help_text="Only the messages about an activity the caller is R or A for and that "
        "is open now, or a decision their business thread owes now.",
    )

    def validate_release(self, value):
        if problem := release_problem(value):
            raise serializers.ValidationError(problem)
        return value


class InboxPageQuerySerializer(InboxQuerySerializer):
    page = serializers.IntegerField(
        min_value=1,
        max_value=LAST_PAGE,
        required=False,
        help_text="The page, 1 the newest (50 a page).",
    )


class MessageSerializer(serializers.Serializer):
    """A message (``dashboards.inbox.MessageRow``)."""

    id = serializers.IntegerField(help_text="The message (its addressee's row).")
    subject = serializers.CharField()
    body = serializers.CharField()
    link = serializers.CharField(help_text="Where to act.")
    release = serializers.CharField(
        allow_null=True,
        help_text="The release's identifier; none for what concerns no one release.",
    )
    activity = serializers.CharField(help_text="The activity (RM.x.y) it is about, if any.")
    kind = serializers.ChoiceField(choices=Communication.Kind.choices)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(
        allow_null=True, help_text="When the caller first read it; none while unread."
    )
    needs_action = serializers.BooleanField(help_text="About something the caller owes now.")


class MessagePageSerializer(serializers.Serializer):
    next = serializers.CharField(allow_null=True, help_text="The next (older) page, if any.")
    previous = serializers.CharField(allow_null=True, help_text="The previous (newer) page.")
    results = MessageSerializer(many=True)


class ReadAllSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text="How many unread messages were marked read.")


class InboxCountsSerializer(serializers.Serializer):
    unread = serializers.IntegerField(help_text="Unread messages, counted up to 99.")
    unread_more = serializers.BooleanField(help_text="More than 99 unread.")
    actions_owed = serializers.IntegerField(
        help_text="Open activities the caller is R or A for, and decisions their business "
        "thread owes, now, counted up to 99."
    )
    actions_more = serializers.BooleanField(help_text="More than 99 actions owed.")
