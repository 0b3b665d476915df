"""Read endpoints for the process's records a client needs ids from: the deployment plan
with its planned components (RM.2.2 names them by id) and its tasks (completing one
names it by id), the kick-off meeting and the closure."""

from django.core.exceptions import ObjectDoesNotExist
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releases.selectors import visible_release_or_404

from .. import selectors
from ..models import Closure, DeploymentPlan, DeploymentTask, KickOffMeeting, PlannedComponent
from ..plan_content import ITEMS, missing_items


class PlannedComponentSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlannedComponent
        fields = ["id", "name", "version"]


class TaskSerializer(serializers.ModelSerializer):
    owner_party = serializers.CharField(source="owner_party.slug")
    assignee = serializers.CharField(source="assignee.username", allow_null=True, default=None)

    class Meta:
        model = DeploymentTask
        fields = ["id", "title", "owner_party", "assignee", "due_date", "status"]


class RollbackPlanSerializer(serializers.Serializer):
    last_known_good_build = serializers.CharField()
    procedure = serializers.CharField()
    initiated_at = serializers.DateTimeField(allow_null=True)


class RiskSerializer(serializers.Serializer):
    description = serializers.CharField()
    owner = serializers.CharField()
    mitigation = serializers.CharField()


class PhaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="The `phase` of RM.6.3's report.")
    name = serializers.CharField()
    target = serializers.CharField()
    planned_date = serializers.DateField()
    installed = serializers.BooleanField(help_text="Installed in this installation round.")
    installed_at = serializers.DateTimeField(allow_null=True)


ItemsSerializer = type(
    "PlanItems",
    (serializers.Serializer,),
    {item.slug: serializers.CharField(help_text=f"{item.letter}) {item.label}") for item in ITEMS},
)


class PlanSerializer(serializers.ModelSerializer):
    components = PlannedComponentSerializer(many=True, help_text="Ids for RM.2.2 `delivered`.")
    tasks = TaskSerializer(many=True, help_text="Ids for the `complete-task` action.")
    rollback_plan = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    risks = RiskSerializer(many=True)
    phases = serializers.SerializerMethodField()
    missing = serializers.SerializerMethodField()
    revision = serializers.SerializerMethodField()

    class Meta:
        model = DeploymentPlan
        fields = [
            "option",
            "summary",
            "completed_by_application_manager",
            "approved_at",
            "revision",
            "items",
            "missing",
            "risks",
            "phases",
            "components",
            "tasks",
            "rollback_plan",
        ]

    @extend_schema_field(ItemsSerializer)
    def get_items(self, obj) -> dict:
        return {item.slug: (obj.items or {}).get(item.slug, "") for item in ITEMS}

    @extend_schema_field(
        serializers.ListField(
            child=serializers.CharField(),
            help_text="The items of BS 15000-2 9.3 the plan lacks: RM.1.4 answers 409 "
            "naming them until it holds them all.",
        )
    )
    def get_missing(self, obj) -> list[str]:
        return missing_items(obj, list(obj.risks.all()), list(obj.phases.all()))

    @extend_schema_field(serializers.IntegerField(allow_null=True, help_text="The latest."))
    def get_revision(self, obj):
        return max((r.number for r in obj.revisions.all()), default=None)

    @extend_schema_field(PhaseSerializer(many=True))
    def get_phases(self, obj):
        rows = [
            {
                "id": p.pk,
                "name": p.name,
                "target": p.target,
                "planned_date": p.planned_date,
                "installed": report is not None,
                "installed_at": report.uploaded_at if report else None,
            }
            for p, report in selectors.phase_records(obj.release, obj)
        ]
        return PhaseSerializer(rows, many=True).data

    @extend_schema_field(RollbackPlanSerializer(allow_null=True))
    def get_rollback_plan(self, obj):
        try:
            plan = obj.release.rollback_plan
        except ObjectDoesNotExist:
            return None
        return RollbackPlanSerializer(plan).data


class KickOffSerializer(serializers.ModelSerializer):
    invitees = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = KickOffMeeting
        fields = ["scheduled_at", "agenda", "held_at", "decisions", "plan_approved", "invitees"]


class ClosureSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username")

    class Meta:
        model = Closure
        fields = [
            "rfcs_implemented",
            "configuration_manager_informed",
            "deployment_plan_updated",
            "dsl_verified",
            "differences",
            "deviation_reason",
            "notes",
            "recorded_by",
            "recorded_at",
        ]


class _OneRecordView(APIView):
    """The release's record of one kind, for whoever may see the release; 404 while it
    does not exist yet."""

    queryset = None
    serializer_class = None
    missing = ""

    def get(self, request, identifier):
        release = visible_release_or_404(request.user, identifier)
        record = self.queryset.filter(release=release).first()
        if record is None:
            raise NotFound(self.missing)
        return Response(self.serializer_class(record).data)


def _record_view(name, queryset, serializer, missing, summary):
    def get(self, request, identifier):
        return _OneRecordView.get(self, request, identifier)

    get = extend_schema(
        responses={200: serializer, **error_responses(401, 404)},
        tags=["records"],
        summary=summary,
        operation_id=f"read_{name}",
    )(get)
    return type(
        f"{name.title()}View",
        (_OneRecordView,),
        {"queryset": queryset, "serializer_class": serializer, "missing": missing, "get": get},
    )


PlanView = _record_view(
    "deployment_plan",
    DeploymentPlan.objects.select_related("release").prefetch_related(
        "components", "tasks__owner_party", "tasks__assignee", "risks", "revisions"
    ),
    PlanSerializer,
    "No deployment plan yet (RM.1.3).",
    "RM.1.3: the deployment plan, its items, risks, phases, components, tasks, what it "
    "lacks, the rollback plan",
)
KickOffView = _record_view(
    "kickoff",
    KickOffMeeting.objects.prefetch_related("invitees"),
    KickOffSerializer,
    "No kick-off meeting yet (RM.3.1).",
    "RM.3.1, RM.3.2: the kick-off meeting",
)
ClosureView = _record_view(
    "closure",
    Closure.objects.select_related("recorded_by"),
    ClosureSerializer,
    "The release operation is not closed yet (RM.6.7).",
    "RM.6.7: the closure of the release operation",
)
