from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from raci.catalogue import perform_codename
from raci.models import Assignment, Organisation, Party
from raci.release_types import ReleaseType
from releasemgmt.api.serializers import (
    ChoiceLabelField,
    GuardedModelSerializer,
    GuardedSerializer,
)
from releasemgmt.audit.models import AuditEntry

from ..models import (
    ActivityRecord,
    Application,
    DeploymentOption,
    Milestone,
    MilestoneChange,
    OnBreach,
    PolicyBreach,
    Release,
    ReleasePolicy,
    Window,
)
from ..planning import WINDOW_FIELDS
from ..policy import POLICY_FIELDS
from ..selectors import holds_for, manual_transitions, next_times, window_rule
from ..stages import Stage


class AssignmentSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="party.name")
    holder = serializers.CharField(source="holder_name")
    kind = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["party", "holder", "kind"]

    def get_kind(self, obj) -> str:
        return "person" if obj.user_id else "group"


class ReleaseSerializer(GuardedModelSerializer):
    application = serializers.SlugRelatedField(
        slug_field="code", queryset=Application.objects.all()
    )
    stage_display = ChoiceLabelField(Stage.choices, source="stage")
    coordinator = serializers.CharField(read_only=True, allow_null=True, default=None)

    class Meta:
        model = Release
        fields = [
            "identifier",
            "name",
            "application",
            "version",
            "release_type",
            "planned_delivery_date",
            "planned_installation_date",
            "conformance_testing",
            "description",
            "stage",
            "stage_display",
            "coordinator",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["identifier", "stage", "created_at", "updated_at"]
        # Uniqueness is the service's rule (it names the clash), not the serializer's.
        validators = []


#: what a row of the API's release list is read from (``release_rows``), by field
RELEASE_ROW = {
    "identifier": "identifier",
    "name": "name",
    "application": "application__code",
    "version": "version",
    "release_type": "release_type",
    "planned_delivery_date": "planned_delivery_date",
    "planned_installation_date": "planned_installation_date",
    "conformance_testing": "conformance_testing",
    "description": "description",
    "stage": "stage",
    "stage_display": "stage",
    "coordinator": "coordinator",
    "created_at": "created_at",
    "updated_at": "updated_at",
}


def release_rows(rows) -> list[dict]:
    """The rows of the API's release list (``RELEASE_ROW``'s values of
    ``selectors.release_list``) as ``ReleaseSerializer`` writes releases: made as
    releases and written field by field, they were half of the list's time (issue 17);
    ``tests/releases/test_release_rows_api.py`` holds the two to the same answer."""
    labels = ReleaseSerializer._declared_fields["stage_display"].labels
    moment = _Moments()
    return [
        {
            "identifier": row["identifier"],
            "name": row["name"],
            "application": row["application__code"],
            "version": row["version"],
            "release_type": row["release_type"],
            "planned_delivery_date": _day(row["planned_delivery_date"]),
            "planned_installation_date": _day(row["planned_installation_date"]),
            "conformance_testing": row["conformance_testing"],
            "description": row["description"],
            "stage": row["stage"],
            "stage_display": labels.get(row["stage"], row["stage"]),
            "coordinator": row["coordinator"],
            "created_at": moment(row["created_at"]),
            "updated_at": moment(row["updated_at"]),
        }
        for row in rows
    ]


def _day(value) -> str | None:
    return None if value is None else value.isoformat()


class _Moments:
    """A moment as DRF's ``DateTimeField`` writes it (ISO 8601 in the current time zone,
    UTC as ``Z``), the time zone asked once for all the rows."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()

    def __call__(self, value) -> str | None:
        if value is None:
            return None
        if timezone.is_aware(value):
            value = value.astimezone(self.zone)
        written = value.isoformat()
        return written[:-6] + "Z" if written.endswith("+00:00") else written


def policy_reason_field():
    return serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=100_000,
        style={"base_template": "textarea.html"},
        help_text="Why the release goes ahead despite a rule of the application's release "
        "policy that warns (400 on this field names the breaches).",
    )


class FormaliseReleaseSerializer(ReleaseSerializer):
    """RM.1.1: a release and its affected business threads (party slugs)."""

    business_threads = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        required=False,
    )
    policy_reason = policy_reason_field()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "business_threads", "policy_reason"]


class RevisePlanningSerializer(ReleaseSerializer):
    # Declared fields ignore read_only_fields: the application is fixed at RM.1.1.
    application = serializers.SlugRelatedField(slug_field="code", read_only=True)
    policy_reason = policy_reason_field()

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "policy_reason"]
        read_only_fields = [*ReleaseSerializer.Meta.read_only_fields, "application", "version"]


class ActivityRecordSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="activity.code")
    name = serializers.CharField(source="activity.name")
    stage = serializers.IntegerField(source="activity.stage")
    performed_by = serializers.StringRelatedField(
        allow_null=True, help_text="Who performed it (null while nobody has)."
    )
    deputy_of = serializers.StringRelatedField(
        allow_null=True, help_text="Whom the performer stood in for, as a deputy (null otherwise)."
    )
    performed_by_label = serializers.CharField(
        help_text='Who performed it, "X, deputy of Y" for a deputy.'
    )
    may_perform = serializers.SerializerMethodField()

    class Meta:
        model = ActivityRecord
        fields = [
            "code",
            "name",
            "stage",
            "status",
            "performed_by",
            "deputy_of",
            "performed_by_label",
            "performed_at",
            "outcome",
            "comment",
            "may_perform",
        ]

    def get_may_perform(self, obj) -> bool:
        return obj.activity.codename in self.context["granted"]


class ReleaseDetailSerializer(ReleaseSerializer):
    assignments = AssignmentSerializer(many=True, read_only=True)
    activities = serializers.SerializerMethodField()
    available_transitions = serializers.SerializerMethodField()

    class Meta(ReleaseSerializer.Meta):
        fields = [
            *ReleaseSerializer.Meta.fields,
            "published_at",
            "rollback_plan_used",
            "assignments",
            "activities",
            "available_transitions",
        ]

    def get_available_transitions(self, obj) -> list[str]:
        """The hand-fired transitions the stage allows and the caller may fire."""
        return manual_transitions(self.context["request"].user, obj)

    @extend_schema_field(ActivityRecordSerializer(many=True))
    def get_activities(self, obj) -> list[dict]:
        """The release's activity records as ``ActivityRecordSerializer`` writes them,
        read as values: made as records and written field by field, its 24 rows were a
        sixth of the release's answer (issue 17)."""
        granted = self.context["granted"]
        rows = obj.activity_records.order_by("activity__position").values(*ACTIVITY_ROW)
        moment = _Moments()
        return [_activity(row, granted, moment) for row in rows]


#: what a release's activity row is read from (``_activity``)
ACTIVITY_ROW = (
    "activity__code",
    "activity__name",
    "activity__stage",
    "status",
    "performed_by_id",
    "performed_by__first_name",
    "performed_by__last_name",
    "performed_by__username",
    "deputy_of_id",
    "deputy_of__first_name",
    "deputy_of__last_name",
    "deputy_of__username",
    "performed_at",
    "outcome",
    "comment",
)


def _user_named(row: dict, prefix: str) -> str | None:
    """The user of ``<prefix>_id`` named as ``str(user)`` names them; None for nobody."""
    if row[f"{prefix}_id"] is None:
        return None
    names = (row[f"{prefix}__{part}"] for part in ("first_name", "last_name", "username"))
    return get_user_model().named(*names)


def _activity(row: dict, granted, moment: _Moments) -> dict:
    performer = _user_named(row, "performed_by")
    deputy = _user_named(row, "deputy_of")
    return {
        "code": row["activity__code"],
        "name": row["activity__name"],
        "stage": row["activity__stage"],
        "status": row["status"],
        "performed_by": performer,
        "deputy_of": deputy,
        "performed_by_label": ActivityRecord.label_of(performer, deputy),
        "performed_at": moment(row["performed_at"]),
        "outcome": row["outcome"],
        "comment": row["comment"],
        "may_perform": perform_codename(row["activity__code"]) in granted,
    }


class AssignRolesSerializer(GuardedSerializer):
    """RM.1.2 Assign roles."""

    deployment_coordinator = serializers.SlugRelatedField(
        slug_field="username", queryset=get_user_model().objects.filter(is_active=True)
    )
    business_threads = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD)
    )
    developers = serializers.SlugRelatedField(
        slug_field="name",
        queryset=Organisation.objects.all(),
        help_text="Name of the 3rd party developer organisation.",
    )


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="who", read_only=True, help_text="Who did it, named as they were then."
    )

    class Meta:
        model = AuditEntry
        fields = [
            "timestamp",
            "actor",
            "actor_groups",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
        ]


# --- the dated plan and the windows ---------------------------------------------------


class MilestoneChangeSerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username")

    class Meta:
        model = MilestoneChange
        fields = [
            "starts_before",
            "ends_before",
            "starts_after",
            "ends_after",
            "reason",
            "changed_by",
            "changed_at",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    """A milestone as ``selectors.release_plan`` reads it."""

    kind_display = ChoiceLabelField(Milestone.Kind.choices, source="kind")
    activity = serializers.CharField(
        source="activity_code", help_text="The activity whose record is the actual date."
    )
    actual_at = serializers.DateTimeField(
        allow_null=True, help_text="When that activity was done; null while it is not."
    )
    slippage_days = serializers.IntegerField(
        allow_null=True,
        help_text="The actual date (or else the planned one) against the baseline, in "
        "days (positive: late); null before the plan is published (RM.1.4).",
    )
    changes = MilestoneChangeSerializer(
        source="replans", many=True, help_text="Every re-plan, with who and why."
    )

    class Meta:
        model = Milestone
        fields = [
            "kind",
            "kind_display",
            "starts_at",
            "ends_at",
            "all_day",
            "baseline_starts_at",
            "baseline_ends_at",
            "activity",
            "actual_at",
            "slippage_days",
            "changes",
        ]


class OccurrenceSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()


class WindowSerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Its code; null: all."
    )
    business_thread = serializers.SlugRelatedField(
        slug_field="slug", read_only=True, allow_null=True, help_text="A thread's slug, or null."
    )
    created_by = serializers.CharField(source="created_by.username", read_only=True)
    holds_for = serializers.SerializerMethodField()
    rule = serializers.SerializerMethodField()
    next_times = serializers.SerializerMethodField()

    class Meta:
        model = Window
        fields = [
            "id",
            *WINDOW_FIELDS,
            "holds_for",
            "rule",
            "next_times",
            "created_by",
            "created_at",
        ]

    def get_holds_for(self, obj) -> str:
        """Every application, one application's code or one business thread."""
        return holds_for(obj)

    def get_rule(self, obj) -> str:
        """When it holds, in words (a weekly window's weekday, hours and last day)."""
        return window_rule(obj)

    @extend_schema_field(OccurrenceSerializer(many=True))
    def get_next_times(self, obj):
        """Its next times (a weekly window's next three), the one under way included."""
        times = next_times(obj, self.context.get("now") or timezone.now())
        return OccurrenceSerializer(
            [{"starts_at": s, "ends_at": e} for s, e in times], many=True
        ).data


class WindowWriteSerializer(GuardedSerializer):
    """A blackout or maintenance window as the release manager records or changes it
    (``planning.save_window`` decides what holds together)."""

    kind = serializers.ChoiceField(choices=Window.Kind.choices)
    title = serializers.CharField(max_length=200)
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100_000,
        style={"base_template": "textarea.html"},
        help_text="Why nothing is installed then.",
    )
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    repeats_weekly = serializers.BooleanField(
        required=False, help_text="The same hours every week (a week long at most)."
    )
    repeat_until = serializers.DateField(
        required=False, allow_null=True, help_text="The last day of a weekly window."
    )
    application = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Application.objects.all(),
        required=False,
        allow_null=True,
        help_text="Its code: a maintenance window's application, or a blackout of one.",
    )
    business_thread = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        required=False,
        allow_null=True,
        help_text="A blackout of one DG TAXUD business thread (its slug).",
    )


# --- a release type's path and the application's policy (issue 12) -------------------


class TypeRuleSerializer(serializers.Serializer):
    summary = serializers.CharField()
    notification_lead_hours = serializers.IntegerField()
    emergency_cab = serializers.BooleanField()
    post_release_review = serializers.BooleanField()
    planned_ahead = serializers.BooleanField()


class WaivedSerializer(serializers.Serializer):
    code = serializers.CharField(source="activity.code")
    name = serializers.CharField(source="activity.name")
    reason = serializers.CharField(source="comment")
    waived_by = serializers.CharField(source="performed_by")
    waived_at = serializers.DateTimeField(source="performed_at")


class PolicyBreachSerializer(serializers.ModelSerializer):
    accepted_by = serializers.CharField(source="accepted_by.username")

    class Meta:
        model = PolicyBreach
        fields = ["rule", "message", "reason", "accepted_by", "accepted_at"]


class ReleasePathSerializer(serializers.Serializer):
    rule = TypeRuleSerializer()
    waived = WaivedSerializer(many=True, help_text="Waived and not yet caught up.")
    owed = WaivedSerializer(many=True, help_text="Waived and owed: the release is installed.")
    installed = serializers.BooleanField()
    review_required = serializers.BooleanField()
    notify_users_by = serializers.DateTimeField()
    breaches = PolicyBreachSerializer(many=True)


class PolicySerializer(serializers.ModelSerializer):
    application = serializers.SlugRelatedField(slug_field="code", read_only=True)
    windows = serializers.SerializerMethodField()
    updated_by = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_windows(self, obj) -> list[int]:
        """The ids of its usual maintenance windows."""
        return [w.pk for w in obj.windows.all()] if obj.pk else []

    def get_updated_by(self, obj) -> str | None:
        return obj.updated_by.username if obj.pk else None

    class Meta:
        model = ReleasePolicy
        fields = [
            "application",
            *POLICY_FIELDS,
            "updated_by",
            "updated_at",
        ]


TYPES_MESSAGE = "Any of major, minor, emergency, each once."


class ReleaseTypeList(serializers.ListField):
    """Release types: one message for the whole list, never an item's own (nor its
    text), so the error stays a list of strings as the schema says."""

    child = serializers.CharField()

    def run_child_validation(self, data):
        if any(not isinstance(t, str) or t not in ReleaseType.values for t in data):
            raise serializers.ValidationError(TYPES_MESSAGE)
        if len(set(data)) != len(data):
            raise serializers.ValidationError(TYPES_MESSAGE)
        return sorted(data, key=ReleaseType.values.index)


def on_breach():
    return serializers.ChoiceField(choices=OnBreach.choices, default=OnBreach.WARN)


class PolicyWriteSerializer(GuardedSerializer):
    """An application's release policy as the release manager sets it
    (``policy.save_policy`` decides what holds together)."""

    allowed_types = ReleaseTypeList(
        required=False,
        help_text="The release types it takes (any of major, minor, emergency); empty: every type.",
    )
    types_on_breach = serializers.ChoiceField(choices=OnBreach.choices, default=OnBreach.REFUSE)
    version_pattern = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=ReleasePolicy.PATTERN_MAX_LENGTH,
        help_text="N a number, A letters; digits, small letters and . - _ + as written.",
    )
    version_on_breach = serializers.ChoiceField(choices=OnBreach.choices, default=OnBreach.REFUSE)
    min_days_between = serializers.IntegerField(required=False, allow_null=True)
    frequency_on_breach = on_breach()
    windows = serializers.PrimaryKeyRelatedField(
        many=True,
        required=False,
        queryset=Window.objects.filter(kind=Window.Kind.MAINTENANCE),
        help_text="Ids of the application's maintenance windows.",
    )
    windows_on_breach = on_breach()
    lead_days = serializers.IntegerField(required=False, allow_null=True)
    lead_on_breach = on_breach()
    default_deployment_option = serializers.ChoiceField(
        choices=DeploymentOption.choices, required=False, allow_blank=True
    )
    hypercare_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Days of hypercare after go-live; null: the release type's.",
    )
    review_every_release = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Every release is reviewed after go-live, not only those the type asks.",
    )
    decision_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Working days a thread has to decide after the report or plan was "
        "submitted; null: the site's default.",
    )
    authorisation_lead_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Days before the installation by which it is approved and authorised; "
        "null: the site's default.",
    )
    after_installation_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Working days after the installation for the CT go-ahead and the closure; "
        "null: the site's default.",
    )
    remind_days_before = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="Days before a due date that reminders go; null: the site's default.",
    )
