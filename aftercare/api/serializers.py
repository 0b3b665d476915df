"""What aftercare's API answers (the request bodies are the pages' forms)."""

from rest_framework import serializers

from ..models import Hypercare, ImprovementAction, Incident, Lesson, PostReleaseReview


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
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
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


class RollbackTriggerSerializer(serializers.Serializer):
    """The rollback asked for from hypercare (RM.6.4 reopened)."""

    at = serializers.DateTimeField()
    by = serializers.CharField()
    reason = serializers.CharField()


class HypercareStateSerializer(serializers.Serializer):
    """A release's hypercare: null before go-live (RM.6.5)."""

    hypercare = HypercareSerializer(allow_null=True)
    incidents = IncidentSerializer(many=True)
    criteria = CriterionSerializer(many=True, help_text="The exit criteria, met or not.")
    timeline = MomentSerializer(many=True)
    rolled_back_at = serializers.DateTimeField(allow_null=True, required=False)
    may_record = serializers.BooleanField(required=False)
    may_close = serializers.BooleanField(required=False)
    rollback_triggered = RollbackTriggerSerializer(allow_null=True, required=False)
    may_trigger_rollback = serializers.BooleanField(required=False)


class ActionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ImprovementAction
        fields = ["id", "title", "owner", "due_date", "status", "done_at", "created_at"]


class PostReleaseReviewSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = PostReleaseReview
        fields = [
            "note",
            "objectives",
            "objectives_comment",
            "schedule_comment",
            "stakeholder_feedback",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]


class ScheduleSerializer(serializers.Serializer):
    planned = serializers.DateField(allow_null=True, help_text="The installation as planned.")
    actual = serializers.DateField(allow_null=True, help_text="Live (RM.6.5).")
    slip_days = serializers.IntegerField(allow_null=True)
    replans = serializers.SerializerMethodField()

    def get_replans(self, obj) -> int:
        """How many times the installation was re-planned."""
        return len(obj["replans"])


class ReviewStateSerializer(serializers.Serializer):
    """A release's post-release review: why it is owed, what the records say, the review
    (null until written) and its improvement actions."""

    required = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField())
    owed = serializers.BooleanField(help_text="Required, the release is live, not written yet.")
    review = PostReleaseReviewSerializer(allow_null=True)
    schedule = ScheduleSerializer()
    incidents = IncidentSerializer(many=True)
    rolled_back = serializers.BooleanField()
    actions = serializers.SerializerMethodField()
    may_write = serializers.BooleanField()

    def get_actions(self, obj) -> list[dict]:
        """The improvement actions, each with ``late`` (past due, not done)."""
        return [ActionSerializer(a).data | {"late": late} for a, late in obj["actions"]]


class LessonSerializer(serializers.ModelSerializer):
    release = serializers.SlugRelatedField(slug_field="identifier", read_only=True)
    application = serializers.SlugRelatedField(slug_field="code", read_only=True)
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)
    tags = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)

    class Meta:
        model = Lesson
        fields = [
            "id",
            "release",
            "application",
            "what_happened",
            "next_time",
            "tags",
            "author",
            "created_at",
        ]
