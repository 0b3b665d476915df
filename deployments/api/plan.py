"""The living deployment plan through the API: its revisions (who, when, why), a new
revision with its reason, and what changed between two, with the rules of the pages."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_request
from releases.api.activities import ReleaseAPIView

from .. import selectors
from ..forms import CompareRevisionsForm, PlanRevisionForm
from ..models import DeploymentPlan, PlanRevision
from ..plan_content import compare
from ..services import planning


class RevisionSerializer(serializers.ModelSerializer):
    revised_by = serializers.CharField(source="revised_by.username")
    activity = serializers.CharField(
        help_text="RM.1.3, RM.3.1 or RM.6.7, or empty for a revision in between."
    )

    class Meta:
        model = PlanRevision
        fields = ["number", "activity", "reason", "revised_by", "revised_at"]


class RevisionDetailSerializer(RevisionSerializer):
    content = serializers.JSONField(help_text="The whole plan as it stood.")

    class Meta(RevisionSerializer.Meta):
        fields = [*RevisionSerializer.Meta.fields, "content"]


class ChangeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["field", "risk", "phase", "task", "component"])
    key = serializers.CharField()
    label = serializers.CharField()
    change = serializers.ChoiceField(choices=["changed", "added", "removed"])
    before = serializers.CharField(allow_blank=True)
    after = serializers.CharField(allow_blank=True)


class ComparisonSerializer(serializers.Serializer):
    first = RevisionSerializer(source="from")
    second = RevisionSerializer(source="to")
    changes = ChangeSerializer(many=True)


def _plan(release) -> DeploymentPlan:
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is None:
        raise NotFound("No deployment plan yet (RM.1.3).")
    return plan


class PlanRevisionsView(ReleaseAPIView):
    @extend_schema(
        responses={200: RevisionSerializer(many=True), **error_responses(401, 404)},
        tags=["planning"],
    )
    def get(self, request, identifier):
        """The revisions of the deployment plan, newest first: who, when, why."""
        plan = _plan(self.release(identifier))
        revisions = plan.revisions.select_related("revised_by").order_by("-number")
        return Response(RevisionSerializer(revisions, many=True).data)

    @extend_schema(
        request=form_request(PlanRevisionForm, "RevisePlanRequest"),
        responses={201: RevisionDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=["planning"],
    )
    def post(self, request, identifier):
        """Revise the deployment plan with a reason (the holders of RM.1.3, RM.3.1 or
        RM.6.7): the whole content, as the form of the page takes it; `based_on` refuses
        (409) a revision made meanwhile."""
        release = self.release(identifier)
        revision = self.run(
            release,
            PlanRevisionForm,
            lambda data: planning.revise_deployment_plan(release, by=request.user, **data),
        )
        return Response(RevisionDetailSerializer(revision).data, status=201)


class PlanComparisonView(ReleaseAPIView):
    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from", int, description="A revision number (default: the one before the latest)."
            ),
            OpenApiParameter("to", int, description="A revision number (default: the latest)."),
        ],
        responses={200: ComparisonSerializer, **error_responses(400, 401, 404)},
        tags=["planning"],
    )
    def get(self, request, identifier):
        """What changed between two revisions of the deployment plan, field by field and
        row by row (risks, phases, tasks, components)."""
        plan = _plan(self.release(identifier))
        form = CompareRevisionsForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        numbers = list(plan.revisions.order_by("number").values_list("number", flat=True))
        low = form.cleaned_data.get("from") or (numbers[-2] if len(numbers) > 1 else None)
        high = form.cleaned_data.get("to") or (numbers[-1] if numbers else None)
        first, second = selectors.revision_pair(plan, low, high)
        for name, found in (("from", first), ("to", second)):
            if found is None:
                raise ValidationError({name: ["No such revision of this plan."]})
        body = {"from": first, "to": second, "changes": compare(first.content, second.content)}
        return Response(ComparisonSerializer(body).data)
