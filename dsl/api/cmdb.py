"""The API of configuration management: the configuration manager's tasks (RM.6.7), and
a release's baselines (RM.6.5)."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedSerializer
from releasemgmt.paging import CountedPagination
from releases.models import Application
from releases.selectors import visible_release_or_404

from .. import configuration, selectors
from ..models import (
    Baseline,
    BaselineItem,
    CIStatus,
    CIStatusChange,
    CITask,
    ConfigurationItem,
)

TAGS = ["configuration"]


class HistorySerializer(serializers.ModelSerializer):
    changed_by = serializers.CharField(source="changed_by.username")
    release = serializers.CharField(
        source="release_identifier", allow_null=True, help_text="Where the caller may see it."
    )

    class Meta:
        model = CIStatusChange
        fields = ["from_status", "to_status", "reason", "release", "changed_by", "changed_at"]


class ProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(source="item.pk")
    kind = serializers.CharField(source="item.kind")
    name = serializers.CharField(source="item.name")
    version = serializers.CharField(source="item.version")
    status = serializers.CharField(source="item.status", help_text="The CI's status now.")
    from_status = serializers.CharField()
    proposed_status = serializers.CharField()
    confirmed_status = serializers.CharField(help_text="Empty while the task is open.")
    history = HistorySerializer(source="item.history.all", many=True)


class CITaskSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release.identifier")
    confirmed_by = serializers.CharField(source="confirmed_by.username", allow_null=True)

    class Meta:
        model = CITask
        fields = ["id", "release", "status", "created_at", "confirmed_by", "confirmed_at", "note"]


class CITaskListSerializer(CITaskSerializer):
    proposal_count = serializers.IntegerField()

    class Meta(CITaskSerializer.Meta):
        fields = [*CITaskSerializer.Meta.fields, "proposal_count"]


class CITaskDetailSerializer(CITaskSerializer):
    proposals = ProposalSerializer(many=True, source="proposals.all")

    class Meta(CITaskSerializer.Meta):
        fields = [*CITaskSerializer.Meta.fields, "proposals"]


class ConfirmedChange(GuardedSerializer):
    proposal = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    status = serializers.ChoiceField(choices=CIStatus.choices)


class ConfirmRequest(GuardedSerializer):
    changes = ConfirmedChange(
        many=True,
        required=False,
        max_length=1000,
        help_text="Only the amended ones: a proposal not named is confirmed as proposed.",
    )
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=2_000, help_text="Why amended."
    )


class CITasksView(ListAPIView):
    serializer_class = CITaskListSerializer
    pagination_class = CountedPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("status", enum=CITask.Status.values, required=False),
        ],
        responses={200: CITaskListSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
        summary="The configuration manager's tasks (RM.6.7), newest first, paged",
    )
    def get(self, request, *args, **kwargs):
        """The CI status changes closed releases imply, of the releases the caller may see,
        a page at a time (``count`` up to the pager's bound)."""
        return super().get(request, *args, **kwargs)

    @cached_property
    def status(self) -> str | None:
        status = self.request.query_params.get("status") or None
        if status is not None and status not in CITask.Status.values:
            raise ValidationError({"status": [f"One of {', '.join(CITask.Status.values)}."]})
        return status

    def get_queryset(self):
        return selectors.ci_tasks(self.request.user, status=self.status)

    def rows_counter(self):
        return lambda up_to: selectors.ci_task_count(self.request.user, up_to, status=self.status)


class CITaskView(APIView):
    @extend_schema(
        responses={200: CITaskDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
        summary="One task: the proposed CI status changes and each CI's history",
    )
    def get(self, request, pk):
        return Response(CITaskDetailSerializer(selectors.ci_task_or_404(request.user, pk)).data)


class CITaskConfirmView(APIView):
    @extend_schema(
        request=ConfirmRequest,
        responses={200: CITaskDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=TAGS,
        summary="Confirm the CI status changes, amending some with a reason",
    )
    def post(self, request, pk):
        """The configuration manager confirms the proposals (RM.6.7); an amended one needs
        the note saying why."""
        task = selectors.ci_task_or_404(request.user, pk)
        configuration.require_configuration_manager(request.user)
        body = ConfirmRequest(data=request.data)
        body.is_valid(raise_exception=True)
        given = body.validated_data
        own = {p.pk for p in task.proposals.all()}
        statuses = {}
        for change in given.get("changes", []):
            if change["proposal"] not in own:
                raise ValidationError(
                    {"changes": [f"{change['proposal']} is not a proposal here."]}
                )
            statuses[change["proposal"]] = change["status"]
        configuration.confirm_ci_task(
            task, by=request.user, statuses=statuses, note=given.get("note", "")
        )
        return Response(CITaskDetailSerializer(selectors.ci_task_or_404(request.user, pk)).data)


class BaselineItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BaselineItem
        fields = ["name", "version", "sha256"]


class BaselineSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release.identifier")
    recorded_by = serializers.CharField(source="recorded_by.username")
    items = BaselineItemSerializer(many=True, source="items.all")

    class Meta:
        model = Baseline
        fields = ["id", "release", "recorded_by", "recorded_at", "items"]


class ReleaseBaselineSerializer(serializers.Serializer):
    baseline = BaselineSerializer(allow_null=True)
    previous_baseline = BaselineSerializer(
        allow_null=True, help_text="The one the rollback plan goes back to."
    )


class ReleaseBaselineView(APIView):
    @extend_schema(
        responses={200: ReleaseBaselineSerializer, **error_responses(401, 404)},
        tags=TAGS,
        summary="RM.6.5: the release's baseline of production and the previous one",
    )
    def get(self, request, identifier):
        release = visible_release_or_404(request.user, identifier)
        return Response(ReleaseBaselineSerializer(selectors.baseline_records(release)).data)


# --- configuration items ----------------------------------------------------------------


class ConfigurationItemSerializer(serializers.ModelSerializer):
    application = serializers.CharField(source="application.code")
    release = serializers.CharField(
        source="release_identifier",
        allow_null=True,
        help_text="The release that delivered it, where the caller may see it.",
    )

    class Meta:
        model = ConfigurationItem
        fields = ["id", "application", "kind", "name", "version", "status", "release", "updated_at"]


class ItemBaselineSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="release_identifier", allow_null=True)

    class Meta:
        model = Baseline
        fields = ["id", "release", "recorded_at"]


class ConfigurationItemDetailSerializer(ConfigurationItemSerializer):
    history = HistorySerializer(source="changes", many=True)
    baselines = ItemBaselineSerializer(many=True)

    class Meta(ConfigurationItemSerializer.Meta):
        fields = [*ConfigurationItemSerializer.Meta.fields, "history", "baselines"]


class ConfigurationItemPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = ConfigurationItemSerializer(many=True)


class ItemPages(PageNumberPagination):
    page_size = selectors.ITEMS_PER_PAGE


class ConfigurationItemsView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("status", enum=CIStatus.values, required=False)],
        responses={
            200: ConfigurationItemPage,
            **error_responses(400, 401, 404),
        },
        tags=TAGS,
        summary="An application's configuration items, paged",
    )
    def get(self, request, code):
        """The application at each version and its components as CIs, with their status
        (planned, in test, live, retired)."""
        application = get_object_or_404(Application, code=code)
        status = request.query_params.get("status") or None
        if status is not None and status not in CIStatus.values:
            raise ValidationError({"status": [f"One of {', '.join(CIStatus.values)}."]})
        pages = ItemPages()
        items = pages.paginate_queryset(
            selectors.configuration_items(application, status), request, view=self
        )
        items = selectors.with_release_shown(request.user, items)
        return pages.get_paginated_response(ConfigurationItemSerializer(items, many=True).data)


class ConfigurationItemView(APIView):
    @extend_schema(
        responses={200: ConfigurationItemDetailSerializer, **error_responses(401, 404)},
        tags=TAGS,
        summary="One CI with its status history and the production baselines that held it",
    )
    def get(self, request, pk):
        item = selectors.configuration_item_or_404(request.user, pk)
        return Response(ConfigurationItemDetailSerializer(item).data)
