from django.contrib.auth import get_user_model
from rest_framework import serializers

from raci.models import Assignment, Organisation, Party
from releasemgmt.api.serializers import GuardedModelSerializer, GuardedSerializer
from releasemgmt.audit.models import AuditEntry

from ..models import ActivityRecord, Application, Release
from ..selectors import manual_transitions


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
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)
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


class FormaliseReleaseSerializer(ReleaseSerializer):
    """RM.1.1: a release and its affected business threads (party slugs)."""

    business_threads = serializers.SlugRelatedField(
        slug_field="slug",
        many=True,
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        required=False,
    )

    class Meta(ReleaseSerializer.Meta):
        fields = [*ReleaseSerializer.Meta.fields, "business_threads"]


class RevisePlanningSerializer(ReleaseSerializer):
    # Declared fields ignore read_only_fields: the application is fixed at RM.1.1.
    application = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta(ReleaseSerializer.Meta):
        read_only_fields = [*ReleaseSerializer.Meta.read_only_fields, "application", "version"]


class ActivityRecordSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="activity.code")
    name = serializers.CharField(source="activity.name")
    stage = serializers.IntegerField(source="activity.stage")
    performed_by = serializers.StringRelatedField()
    may_perform = serializers.SerializerMethodField()

    class Meta:
        model = ActivityRecord
        fields = [
            "code",
            "name",
            "stage",
            "status",
            "performed_by",
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

    def get_activities(self, obj) -> list[dict]:
        records = obj.activity_records.select_related("activity", "performed_by")
        return ActivityRecordSerializer(records, many=True, context=self.context).data


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
