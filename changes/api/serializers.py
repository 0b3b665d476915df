"""The request and response bodies of change management's API. Request bodies derive
from the input guard (``GuardedSerializer``): hostile input is refused on its field
before the services see it; the rules themselves are the services'."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from releasemgmt import inputs
from releasemgmt.api.serializers import GuardedSerializer
from releases.models import Application

from .. import risk, services
from ..models import (
    Advice,
    CabDecision,
    CabMeeting,
    Category,
    ChangeModel,
    ChangeType,
    Level,
    Review,
    RfC,
    RfCAttachment,
)

TEXT = {"style": {"base_template": "textarea.html"}, "max_length": inputs.MAX_TEXT_LENGTH}


def text(help_text: str, **kwargs):
    """Multi-line text, optional and possibly blank."""
    return serializers.CharField(
        required=False, allow_blank=True, help_text=help_text, **TEXT, **kwargs
    )


# --- fields that name things --------------------------------------------------------


class ChangeModelField(serializers.CharField):
    """A change model named by its name or its id."""

    default_error_messages = {"no_such": "There is no change model of that name or id."}

    def __init__(self, **kwargs):
        super().__init__(max_length=100, allow_blank=True, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, int) and not isinstance(data, bool):
            data = str(data)
        return super().to_internal_value(data)

    def run_validation(self, data=empty):
        name = super().run_validation(data).strip()  # text within its length, or skipped
        if not name:
            return None
        if name.isdigit():
            if inputs.id_problem(name, "change_model"):
                self.fail("no_such")
            found = ChangeModel.objects.filter(pk=int(name)).first()
        else:
            found = ChangeModel.objects.filter(name=name).first()
        if found is None:
            self.fail("no_such")
        return found


RISK_ANSWERS_SCHEMA = {
    "type": "object",
    "description": "The answers to the risk questions (question -> answer); the risk level "
    "is computed from them when the change manager records the assessment.",
    "properties": {
        q.key: {"type": "string", "enum": [v for v, _, _ in q.answers], "description": q.text}
        for q in risk.QUESTIONS
    },
    "additionalProperties": False,
}


@extend_schema_field(RISK_ANSWERS_SCHEMA)
class RiskAnswersField(serializers.DictField):
    """An object of risk answers, each key and value one line of text (the service checks
    that they are questions and their answers)."""

    default_error_messages = {"answers": "Give each answer as text: question -> answer."}

    def to_internal_value(self, data):
        if not isinstance(data, dict):
            self.fail("not_a_dict", input_type=type(data).__name__)
        label = str(self.label or self.field_name)
        for key, value in data.items():
            if value is not None and not isinstance(value, str):
                self.fail("answers")
            for part in (key, value or ""):
                if problem := inputs.text_problem(part, label, max_length=40):
                    raise serializers.ValidationError(problem)
        return dict(data)


# --- RfCs ---------------------------------------------------------------------------


class RfCWriteSerializer(GuardedSerializer):
    """What a requester or the change manager writes on a request (``services.FIELDS``)."""

    title = serializers.CharField(max_length=200, help_text="A short title of the change.")
    description = text("What is to change.")
    reason = text("Why: the business reason or the problem.")
    change_type = serializers.ChoiceField(
        choices=ChangeType.choices,
        required=False,
        help_text="Standard (pre-authorised by its model), normal (through the CAB) or "
        "emergency (through the emergency CAB, reviewed afterwards).",
    )
    change_model = ChangeModelField(
        required=False,
        help_text="The change model, by its name or its id (GET /api/v1/change-models/); "
        "blank or left out: the default model of the change type.",
    )
    category = serializers.ChoiceField(
        choices=Category.choices, required=False, help_text="What kind of thing changes."
    )
    impact = serializers.ChoiceField(
        choices=Level.choices, required=False, help_text="With urgency, gives the priority."
    )
    urgency = serializers.ChoiceField(
        choices=Level.choices, required=False, help_text="With impact, gives the priority."
    )
    risk_answers = RiskAnswersField(required=False, help_text=RISK_ANSWERS_SCHEMA["description"])
    planned_start = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the change starts."
    )
    planned_end = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When the change ends (after its start)."
    )
    outage_start = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Start of the projected service outage."
    )
    outage_end = serializers.DateTimeField(
        required=False, allow_null=True, help_text="End of the projected service outage."
    )
    outage_description = text("The projected service outage: what users lose, and where.")
    backout_plan = text("How the change is reversed.")
    backout_impossible_reason = text("Why it cannot be reversed, and what is done instead.")
    backout_trigger = text("What makes the implementer start the remediation.")
    applications = serializers.SlugRelatedField(
        slug_field="code",
        many=True,
        required=False,
        queryset=Application.objects.all(),
        help_text="The codes of the applications it affects.",
    )


class StepSerializer(GuardedSerializer):
    reason = text("Why: required to reassess, withdraw, cancel or record a change made already.")


class ReviewWriteSerializer(GuardedSerializer):
    """Seed 004 section 8: the post-implementation review."""

    objective_met = serializers.BooleanField(help_text="Did the change meet its objective?")
    side_effects = text("Side effects seen.")
    incidents = text("Incidents the change caused.")
    remediation_used = serializers.BooleanField(
        required=False, default=False, help_text="Was the remediation (back-out) used?"
    )
    lessons = text("Lessons learnt.")


class AttachmentWriteSerializer(GuardedSerializer):
    file = serializers.FileField(help_text="The document (size and type limited).")
    title = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="What the document is."
    )


class ScheduleQuerySerializer(GuardedSerializer):
    """The window of the change schedule and its application."""

    start = serializers.DateTimeField(
        required=False,
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text="From (a date or a date and time); default: yesterday.",
    )
    end = serializers.DateTimeField(
        required=False,
        input_formats=["iso-8601", "%Y-%m-%d"],
        help_text="Until (excluded); default: 90 days after the start.",
    )
    application = serializers.SlugRelatedField(
        slug_field="code",
        required=False,
        queryset=Application.objects.all(),
        help_text="Only the changes of this application (its code).",
    )

    def validate_start(self, value):
        return _within_plan_years(value)

    def validate_end(self, value):
        return _within_plan_years(value)

    def validate(self, attrs):
        if attrs.get("start") and attrs.get("end") and attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": "The end comes after the start."})
        return attrs


def _within_plan_years(moment):
    if problem := services.year_problem(moment):
        raise serializers.ValidationError(problem)
    return moment


class ReviewSerializer(serializers.ModelSerializer):
    reviewed_by = serializers.CharField(source="reviewed_by.username")

    class Meta:
        model = Review
        fields = [
            "objective_met",
            "side_effects",
            "incidents",
            "remediation_used",
            "lessons",
            "reviewed_by",
            "reviewed_at",
        ]


class RfCDecisionSerializer(serializers.ModelSerializer):
    meeting = serializers.IntegerField(source="meeting_id", help_text="The CAB meeting's id.")
    decided_by = serializers.CharField(source="decided_by.username")

    class Meta:
        model = CabDecision
        fields = ["meeting", "outcome", "conditions", "decided_by", "decided_at"]


class RfCSerializer(serializers.ModelSerializer):
    """A row of the RfC list."""

    requester = serializers.CharField(source="requester.username")
    release = serializers.CharField(
        source="release.identifier",
        allow_null=True,
        default=None,
        help_text="The release that carries it now.",
    )
    applications = serializers.ListField(
        child=serializers.CharField(),
        source="application_codes",
        read_only=True,
        help_text="The codes of what it affects.",
    )
    risk_level = serializers.ChoiceField(
        choices=Level.choices,
        allow_blank=True,
        read_only=True,
        help_text="From the risk answers, when the change is assessed (blank before).",
    )

    class Meta:
        model = RfC
        fields = [
            "reference",
            "title",
            "requester",
            "change_type",
            "category",
            "applications",
            "priority",
            "risk_level",
            "planned_start",
            "planned_end",
            "status",
            "release",
            "complementary",
            "created_at",
        ]
        read_only_fields = fields


class RfCDetailSerializer(RfCSerializer):
    """A request for change as the caller sees it, with the steps they may take now."""

    change_model = serializers.CharField(
        source="change_model.name", allow_null=True, default=None, help_text="Its name."
    )
    raised_at = serializers.CharField(
        source="raised_at.identifier",
        allow_null=True,
        default=None,
        help_text="The release whose consistency check (RM.2.1) raised it.",
    )
    risk_answers = serializers.JSONField(help_text=RISK_ANSWERS_SCHEMA["description"])
    steps = serializers.SerializerMethodField(
        help_text="The steps the caller may take now (POST .../steps/<name>/)."
    )
    conflicts = serializers.SerializerMethodField(
        help_text="Other live RfCs on one of its applications whose windows overlap its own."
    )
    decisions = RfCDecisionSerializer(source="cab_decisions", many=True)
    review = ReviewSerializer(source="review_record", allow_null=True, default=None)
    review_required = serializers.BooleanField(
        help_text="It needs a post-implementation review before it closes."
    )

    class Meta(RfCSerializer.Meta):
        fields = [
            "reference",
            "title",
            "description",
            "reason",
            "requester",
            "change_type",
            "change_model",
            "category",
            "applications",
            "impact",
            "urgency",
            "priority",
            "risk_answers",
            "risk_level",
            "planned_start",
            "planned_end",
            "outage_start",
            "outage_end",
            "outage_description",
            "backout_plan",
            "backout_impossible_reason",
            "backout_trigger",
            "status",
            "release",
            "raised_at",
            "complementary",
            "retrospective",
            "failed_attempts",
            "created_at",
            "submitted_at",
            "authorised_at",
            "implemented_at",
            "closed_at",
            "steps",
            "conflicts",
            "decisions",
            "review",
            "review_required",
        ]
        read_only_fields = fields

    def get_steps(self, obj) -> list[str]:
        return [name for name, _ in services.offered_steps(self.context["user"], obj)]

    def get_conflicts(self, obj) -> list[str]:
        return self.context["conflicts"]


class AttachmentSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="filename")
    uploaded_by = serializers.CharField(source="uploaded_by.username")
    download = serializers.SerializerMethodField(help_text="Path of the API download.")

    class Meta:
        model = RfCAttachment
        fields = ["id", "title", "name", "sha256", "size", "uploaded_by", "uploaded_at", "download"]

    def get_download(self, obj) -> str:
        return reverse(
            "rfc-attachment", kwargs={"reference": self.context["reference"], "pk": obj.pk}
        )


class SlotSerializer(serializers.Serializer):
    """One change on the schedule."""

    reference = serializers.CharField(source="rfc.reference")
    title = serializers.CharField(source="rfc.title")
    status = serializers.ChoiceField(source="rfc.status", choices=RfC.Status.choices)
    change_type = serializers.ChoiceField(source="rfc.change_type", choices=ChangeType.choices)
    planned_start = serializers.DateTimeField(source="rfc.planned_start")
    planned_end = serializers.DateTimeField(source="rfc.planned_end")
    outage_start = serializers.DateTimeField(source="rfc.outage_start", allow_null=True)
    outage_end = serializers.DateTimeField(source="rfc.outage_end", allow_null=True)
    release = serializers.CharField(source="rfc.release.identifier", allow_null=True, default=None)
    applications = serializers.ListField(child=serializers.CharField(), help_text="Their codes.")
    overlap = serializers.SerializerMethodField(
        help_text="It overlaps another change on one of its applications."
    )
    overlaps = serializers.SerializerMethodField(
        help_text="The references of the first of those changes the caller may see."
    )
    overlap_count = serializers.IntegerField(help_text="How many changes it overlaps in all.")

    def get_overlap(self, obj) -> bool:
        return bool(obj.overlap_count)

    def get_overlaps(self, obj) -> list[str]:
        return [rfc.reference for rfc in obj.overlaps]


# --- CAB meetings ---------------------------------------------------------------------


class MeetingWriteSerializer(GuardedSerializer):
    """Call a CAB or an emergency CAB."""

    kind = serializers.ChoiceField(
        choices=CabMeeting.Kind.choices,
        help_text="The CAB, or the emergency CAB (quorum of one).",
    )
    title = serializers.CharField(max_length=200, help_text="What the meeting is.")
    starts_at = serializers.DateTimeField(help_text="When it meets.")
    location = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Where it meets."
    )
    members = serializers.SlugRelatedField(
        slug_field="username",
        many=True,
        queryset=get_user_model().objects.all(),
        help_text="The usernames of its members, who give their advice.",
    )


class _VisibleRfCs:
    """A body naming RfCs among those the caller may see (others are unknown to them)."""

    def __init__(self, *args, rfcs=None, **kwargs):
        super().__init__(*args, **kwargs)
        if rfcs is not None:
            field = self.fields["rfcs" if "rfcs" in self.fields else "rfc"]
            (field.child_relation if hasattr(field, "child_relation") else field).queryset = rfcs


class AgendaWriteSerializer(_VisibleRfCs, GuardedSerializer):
    """Put RfCs awaiting the CAB on the agenda: named, or every one that fits."""

    rfcs = serializers.SlugRelatedField(
        slug_field="reference",
        many=True,
        required=False,
        queryset=RfC.objects.none(),
        help_text="The references of the RfCs to put on the agenda.",
    )
    build = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Put every RfC awaiting the CAB on it (emergency ones for an ECAB).",
    )

    def validate(self, attrs):
        if not attrs.get("build") and not attrs.get("rfcs"):
            raise serializers.ValidationError(
                {"rfcs": "Name the RfCs, or ask to build the agenda."}
            )
        return attrs


class AdviceWriteSerializer(_VisibleRfCs, GuardedSerializer):
    rfc = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=RfC.objects.none(),
        help_text="The reference of an RfC on the agenda.",
    )
    verdict = serializers.ChoiceField(choices=Advice.Verdict.choices, help_text="Your advice.")
    comment = text("Why, or on what condition.")


class DecisionWriteSerializer(_VisibleRfCs, GuardedSerializer):
    rfc = serializers.SlugRelatedField(
        slug_field="reference",
        queryset=RfC.objects.none(),
        help_text="The reference of an RfC on the agenda.",
    )
    outcome = serializers.ChoiceField(
        choices=CabDecision.Outcome.choices, help_text="The change authority's decision."
    )
    conditions = text("The conditions of an authorisation.")


class MinutesWriteSerializer(GuardedSerializer):
    minutes = serializers.CharField(help_text="The meeting's minutes, mailed once.", **TEXT)


class MeetingSerializer(serializers.ModelSerializer):
    chair = serializers.CharField(source="chair.username")

    class Meta:
        model = CabMeeting
        fields = [
            "id",
            "kind",
            "title",
            "starts_at",
            "location",
            "chair",
            "minutes_sent_at",
            "created_at",
        ]
        read_only_fields = fields


class MemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")
    party = serializers.CharField(source="party.name", allow_null=True, default=None)


class AdviceSerializer(serializers.Serializer):
    member = serializers.CharField(source="member.username")
    verdict = serializers.ChoiceField(choices=Advice.Verdict.choices)
    comment = serializers.CharField()
    given_at = serializers.DateTimeField()


class MeetingDecisionSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=CabDecision.Outcome.choices)
    conditions = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.username")
    decided_at = serializers.DateTimeField()


class AgendaItemSerializer(serializers.Serializer):
    """An RfC on the agenda, with the members' advice and the decision on it here."""

    position = serializers.IntegerField()
    rfc = serializers.CharField(source="rfc.reference", help_text="Its reference.")
    title = serializers.CharField(source="rfc.title")
    status = serializers.ChoiceField(source="rfc.status", choices=RfC.Status.choices)
    change_type = serializers.ChoiceField(source="rfc.change_type", choices=ChangeType.choices)
    risk_level = serializers.ChoiceField(
        source="rfc.risk_level",
        choices=Level.choices,
        allow_blank=True,
        help_text="Blank until the change is assessed.",
    )
    advice = AdviceSerializer(many=True)
    decision = MeetingDecisionSerializer(allow_null=True, help_text="None until one is recorded.")


class MeetingDetailSerializer(MeetingSerializer):
    """A meeting with its members, quorum, agenda (each RfC's advice and decision) and
    minutes."""

    members = MemberSerializer(many=True, source="member_rows")
    quorum = serializers.IntegerField(
        source="quorum_needed", help_text="The advice needed before a decision."
    )
    agenda = AgendaItemSerializer(many=True, source="agenda_rows")

    class Meta(MeetingSerializer.Meta):
        fields = [*MeetingSerializer.Meta.fields, "minutes", "members", "quorum", "agenda"]
        read_only_fields = fields


class ChangeModelSerializer(serializers.ModelSerializer):
    class Meta:
        model = ChangeModel
        fields = [
            "id",
            "name",
            "change_type",
            "description",
            "pre_authorised",
            "lead_time_days",
            "decision_within_hours",
            "review_required",
            "active",
        ]
        read_only_fields = fields
