"""Change management through the API: requests for change with their lifecycle steps,
review, attachments, history and the change schedule; the CAB meetings with their
agenda, advice, decisions and minutes; the change models. Thin: the selectors say what
the caller may see (404 otherwise), the services decide (400, 403 and 409 as on the
pages)."""

from collections import defaultdict

import django_filters
from django.db.models import Prefetch
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses
from releasemgmt.api.exports import FILE_RESPONSES, FORMAT_PARAMETER, RENDERERS, file_format
from releasemgmt.api.parsers import JSONParser
from releasemgmt.filtering import FilterSet
from releasemgmt.forms import GuardedForm
from releasemgmt.paging import CountedPagination
from releases.api.serializers import AuditEntrySerializer
from releases.downloads import file_response
from releases.models import Application

from .. import selectors, services
from ..exports import export_schedule
from ..models import CabDecision, CabMeeting, ChangeModel, ChangeType, Level, RfC
from .serializers import (
    AdviceWriteSerializer,
    AgendaWriteSerializer,
    AttachmentSerializer,
    AttachmentWriteSerializer,
    ChangeModelSerializer,
    DecisionWriteSerializer,
    MeetingDetailSerializer,
    MeetingSerializer,
    MeetingWriteSerializer,
    MinutesWriteSerializer,
    ReviewWriteSerializer,
    RfCDetailSerializer,
    RfCSerializer,
    RfCWriteSerializer,
    ScheduleQuerySerializer,
    SlotSerializer,
    StepSerializer,
)

CHANGES, CAB = ["changes"], ["cab"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 415)


def _valid(serializer_class, request, **kwargs):
    body = serializer_class(data=request.data, **kwargs)
    body.is_valid(raise_exception=True)
    return body.validated_data


# --- RfCs ---------------------------------------------------------------------------


class RfCFilter(FilterSet):
    """The filters of the RfC list: the selector's, each backed by an index."""

    q = django_filters.CharFilter(
        label="Search", method="_given", help_text="A reference, or words of the title."
    )
    status = django_filters.ChoiceFilter(choices=RfC.Status.choices, method="_given")
    change_type = django_filters.ChoiceFilter(choices=ChangeType.choices, method="_given")
    application = django_filters.CharFilter(
        method="_given", help_text="The code of an application it affects."
    )
    risk_level = django_filters.ChoiceFilter(choices=Level.choices, method="_given")

    class Meta:
        model = RfC
        fields = ["q", "status", "change_type", "application", "risk_level"]
        form = GuardedForm

    def _given(self, queryset, name, value):
        return queryset  # all of them are applied at once by filter_queryset

    def selector_filters(self) -> dict | None:
        """The selector's filters (``rfc_keys``) of the valid query; None
        for an application that does not exist (nothing matches)."""
        values = self.form.cleaned_data
        application = None
        if code := values.get("application"):
            application = Application.objects.filter(code__in={code, code.lower()}).first()
            if application is None:
                return None
        return {
            "status": values.get("status") or "",
            "change_type": values.get("change_type") or "",
            "application": application,
            "risk": values.get("risk_level") or "",
            "text": values.get("q") or "",
        }

    def filter_queryset(self, queryset):
        """The keys of the RfCs listed (``selectors.rfc_keys``), whatever ``queryset``."""
        filters = self.selector_filters()
        if filters is None:
            return queryset.none()
        return selectors.rfc_keys(self.request.user, **filters)


def rfc_detail(request, rfc, status=200):
    """The request as the caller sees it now: the steps they may take, the conflicts
    among the RfCs they may see, the decisions and the review."""
    rfc = (
        RfC.objects.select_related(
            "release", "raised_at", "requester", "change_model", "review_record__reviewed_by"
        )
        .prefetch_related(
            Prefetch("cab_decisions", queryset=CabDecision.objects.select_related("decided_by"))
        )
        .get(pk=rfc.pk)
    )
    (rfc,) = selectors.with_application_codes([rfc])
    conflicts = selectors.visible_rfcs_among(request.user, selectors.conflicts_of(rfc))
    context = {"user": request.user, "conflicts": [r.reference for r in conflicts]}
    return Response(RfCDetailSerializer(rfc, context=context).data, status=status)


def _steps_described() -> str:
    lines = [
        f"- `{name}`: {step.label} ({services.WHO[step.who]}"
        + ("; a reason is required" if step.needs_reason else "")
        + ")"
        for name, step in services.STEPS.items()
    ]
    return "The step, one of:\n\n" + "\n".join(lines)


STEP_NAME = OpenApiParameter(
    "name",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    enum=list(services.STEPS),
    description=_steps_described(),
)


@extend_schema_view(
    list=extend_schema(
        summary="The RfCs the caller may see, newest first",
        responses={200: RfCSerializer(many=True), **error_responses(400, 401, 404)},
        tags=CHANGES,
    ),
    retrieve=extend_schema(
        summary="A request for change",
        responses={200: RfCDetailSerializer, **error_responses(401, 404)},
        tags=CHANGES,
    ),
)
class RfCViewSet(viewsets.GenericViewSet):
    """Requests for change: ITSM staff see every one; others those they asked for, those
    of the releases they see and those on the agenda of a board they sit on. Any other
    RfC answers 404."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    filterset_class = RfCFilter
    parser_classes = [JSONParser]
    pagination_class = CountedPagination
    queryset = RfC.objects.none()

    def get_queryset(self):
        return selectors.visible_rfcs(self.request.user)

    def rows_counter(self):
        """The other actions' pages (an RfC's history) count their own rows."""
        return None

    def rows_of_keys(self):
        """The list is counted and paged from one walk of its keys (``Walked``), as the
        web list is; its rows read by ``selectors.rfc_rows``."""
        return selectors.rfc_rows if self.action == "list" else None

    def get_object(self):
        return selectors.visible_rfc_or_404(self.request.user, self.kwargs["reference"])

    def get_serializer_class(self):
        return {
            "retrieve": RfCDetailSerializer,
            "create": RfCWriteSerializer,
            "partial_update": RfCWriteSerializer,
            "step": StepSerializer,
            "review": ReviewWriteSerializer,
            "attachments": AttachmentWriteSerializer,
            "history": AuditEntrySerializer,
            "schedule": SlotSerializer,
        }.get(self.action, RfCSerializer)

    def perform_content_negotiation(self, request, force=False):
        # a download is a file, whatever the client accepts
        return super().perform_content_negotiation(request, force=self.action == "attachment")

    def list(self, request, format=None):
        # the keys of the list: the rows the user may see are settled there, not asked
        # again of ``get_queryset``
        page = self.paginate_queryset(self.filter_queryset(RfC.objects.none()))
        return self.get_paginated_response(RfCSerializer(page, many=True).data)

    def retrieve(self, request, reference, format=None):
        return rfc_detail(request, self.get_object())

    @extend_schema(
        summary="Raise a request for change",
        request=RfCWriteSerializer,
        responses={201: RfCDetailSerializer, **error_responses(400, 401, 403, 415)},
        tags=CHANGES,
    )
    def create(self, request, format=None):
        """A draft of the caller (ITSM staff and DG TAXUD business threads); its reference
        comes from the sequence."""
        rfc = services.raise_rfc(by=request.user, **_valid(RfCWriteSerializer, request))
        return rfc_detail(request, rfc, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Revise a request before it is decided",
        request=RfCWriteSerializer,
        responses={200: RfCDetailSerializer, **WRITE_ERRORS},
        tags=CHANGES,
    )
    def partial_update(self, request, reference, format=None):
        """Its requester edits a draft; the change manager edits it until it is decided
        (409 once decided)."""
        rfc = self.get_object()
        fields = _valid(RfCWriteSerializer, request, partial=True)
        return rfc_detail(request, services.revise_rfc(rfc, by=request.user, **fields))

    @extend_schema(
        summary="Take a step of the RfC's lifecycle",
        request=StepSerializer,
        parameters=[STEP_NAME],
        responses={200: RfCDetailSerializer, **WRITE_ERRORS},
        tags=CHANGES,
    )
    @action(detail=True, methods=["post"], url_path=r"steps/(?P<name>[^/.]+)", url_name="step")
    def step(self, request, reference, name, format=None):
        """The steps a caller may take now are the RfC's ``steps``. 404 for a name that
        is no step, 403 for who may not take it, 409 naming what the request lacks
        (``missing``) or when its state does not allow it, 400 without a reason where
        one is needed."""
        if name not in services.STEPS:
            raise NotFound("No such step.")
        rfc = self.get_object()
        reason = _valid(StepSerializer, request).get("reason", "")
        return rfc_detail(request, services.fire(rfc, name, by=request.user, reason=reason))

    @extend_schema(
        summary="Record the post-implementation review",
        request=ReviewWriteSerializer,
        responses={201: RfCDetailSerializer, **WRITE_ERRORS},
        tags=CHANGES,
    )
    @action(detail=True, methods=["post"])
    def review(self, request, reference, format=None):
        """Seed 004 section 8: once, by the change manager, of an implemented change."""
        rfc = self.get_object()
        services.record_review(rfc, by=request.user, **_valid(ReviewWriteSerializer, request))
        return rfc_detail(request, rfc, status=status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"],
        summary="The RfC's documents",
        responses={200: AttachmentSerializer(many=True), **error_responses(401, 404)},
        tags=CHANGES,
    )
    @extend_schema(
        methods=["POST"],
        summary="Attach a document to the RfC",
        request={"multipart/form-data": AttachmentWriteSerializer},
        responses={201: AttachmentSerializer, **WRITE_ERRORS},
        tags=CHANGES,
    )
    @action(
        detail=True,
        methods=["get", "post"],
        parser_classes=[MultiPartParser],
        filter_backends=[],
        pagination_class=None,
    )
    def attachments(self, request, reference, format=None):
        """Each document with its SHA-256, size and download path. Its requester and the
        change manager attach them, until the request is closed."""
        rfc = self.get_object()
        context = {"reference": rfc.reference}
        if request.method == "GET":
            records = rfc.attachments.select_related("uploaded_by")
            return Response(AttachmentSerializer(records, many=True, context=context).data)
        body = _valid(AttachmentWriteSerializer, request)
        record = services.attach(
            rfc, by=request.user, uploaded=body["file"], title=body.get("title", "")
        )
        return Response(
            AttachmentSerializer(record, context=context).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        summary="Download a document of the RfC",
        operation_id="v1_rfcs_attachment_download",
        parameters=[
            OpenApiParameter(
                "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The document's id."
            )
        ],
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, typed by its name; Repr-Digest carries its SHA-256",
            ),
            **error_responses(401, 404),
        },
        tags=CHANGES,
    )
    @action(
        detail=True,
        methods=["get"],
        url_path=r"attachments/(?P<pk>[0-9]+)",
        url_name="attachment",
        filter_backends=[],
    )
    def attachment(self, request, reference, pk, format=None):
        """Streamed, with the SHA-256 recorded at upload; 404 for an RfC the caller may
        not see, as for one that does not exist."""
        record = self.get_object().attachments.filter(pk=pk).first()
        if record is None or not record.file:
            raise Http404("No such file.")
        return file_response(record)

    @extend_schema(
        summary="The RfC's audit trail, oldest first",
        responses={200: AuditEntrySerializer(many=True), **error_responses(401, 404)},
        tags=CHANGES,
    )
    @action(detail=True, methods=["get"], filter_backends=[])
    def history(self, request, reference, format=None):
        """Who raised, revised, advised, decided and took each step, and when."""
        rfc = self.get_object()
        page = self.paginate_queryset(selectors.history(rfc))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="The change schedule",
        parameters=[ScheduleQuerySerializer],
        responses={200: SlotSerializer(many=True), **error_responses(400, 401)},
        tags=CHANGES,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def schedule(self, request, format=None):
        """The forward schedule of changes: the authorised and scheduled RfCs the caller
        may see whose window meets [start, end), each flagged when it overlaps another
        change on one of its applications."""
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slots = selectors.change_schedule(request.user, **query.validated_data)
        return Response(SlotSerializer(slots, many=True).data)

    @extend_schema(
        summary="The change schedule as a file",
        parameters=[ScheduleQuerySerializer, FORMAT_PARAMETER],
        responses={**FILE_RESPONSES, **error_responses(400, 401, 404)},
        tags=CHANGES,
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="schedule/export",
        filter_backends=[],
        pagination_class=None,
        renderer_classes=RENDERERS,
    )
    def schedule_export(self, request, format=None):
        """The change schedule (the same window and application) as CSV or XLSX."""
        query = ScheduleQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slots = selectors.change_schedule(request.user, **query.validated_data)
        return export_schedule(slots, file_format(request))


# --- CAB meetings ---------------------------------------------------------------------


def meeting_detail(meeting, status=200):
    """The meeting with its members, quorum, agenda (each RfC's advice and decision here)
    and minutes, in a fixed number of queries."""
    meeting = CabMeeting.objects.select_related("chair").get(pk=meeting.pk)
    advice = defaultdict(list)
    for given in meeting.advice.select_related("member"):
        advice[given.rfc_id].append(given)
    decisions = {d.rfc_id: d for d in meeting.decisions.select_related("decided_by")}
    meeting.member_rows = list(meeting.members.select_related("user", "party"))
    meeting.quorum_needed = services.quorum(meeting)
    meeting.agenda_rows = [
        {
            "position": item.position,
            "rfc": item.rfc,
            "advice": advice[item.rfc_id],
            "decision": decisions.get(item.rfc_id),
        }
        for item in meeting.agenda.select_related("rfc")
    ]
    return Response(MeetingDetailSerializer(meeting).data, status=status)


@extend_schema_view(
    list=extend_schema(
        summary="The CAB meetings the caller may see, latest first",
        responses={200: MeetingSerializer(many=True), **error_responses(401, 404)},
        tags=CAB,
    ),
    retrieve=extend_schema(
        summary="A CAB meeting",
        responses={200: MeetingDetailSerializer, **error_responses(401, 404)},
        tags=CAB,
    ),
)
class CabMeetingViewSet(viewsets.GenericViewSet):
    """Meetings of the change authority: the change managers (and ITSM staff) see every
    one, others those they sit on; any other answers 404."""

    lookup_value_regex = "[0-9]+"
    parser_classes = [JSONParser]
    filter_backends = []
    queryset = CabMeeting.objects.none()

    def get_queryset(self):
        return selectors.meetings(self.request.user)

    def get_object(self):
        return selectors.meeting_or_404(self.request.user, self.kwargs["pk"])

    def get_serializer_class(self):
        return {
            "retrieve": MeetingDetailSerializer,
            "create": MeetingWriteSerializer,
            "agenda": AgendaWriteSerializer,
            "advice": AdviceWriteSerializer,
            "decisions": DecisionWriteSerializer,
            "minutes": MinutesWriteSerializer,
        }.get(self.action, MeetingSerializer)

    def _rfcs(self):
        return selectors.visible_rfcs(self.request.user)

    def list(self, request, format=None):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(MeetingSerializer(page, many=True).data)

    def retrieve(self, request, pk, format=None):
        return meeting_detail(self.get_object())

    @extend_schema(
        summary="Call a CAB or an emergency CAB",
        request=MeetingWriteSerializer,
        responses={201: MeetingDetailSerializer, **error_responses(400, 401, 403, 415)},
        tags=CAB,
    )
    def create(self, request, format=None):
        """The change manager calls it with its named members; the caller chairs it."""
        meeting = services.plan_meeting(by=request.user, **_valid(MeetingWriteSerializer, request))
        return meeting_detail(meeting, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Put RfCs on the agenda",
        request=AgendaWriteSerializer,
        responses={201: MeetingDetailSerializer, **WRITE_ERRORS},
        tags=CAB,
    )
    @action(detail=True, methods=["post"])
    def agenda(self, request, pk, format=None):
        """Named RfCs awaiting the CAB (``rfcs``), or every one that fits the meeting
        (``build``: emergency changes for an ECAB); change manager only."""
        meeting = self.get_object()
        body = _valid(AgendaWriteSerializer, request, rfcs=self._rfcs())
        if body.get("build"):
            services.build_agenda(meeting, by=request.user)
        if body.get("rfcs"):
            services.put_on_agenda(meeting, by=request.user, rfcs=body["rfcs"])
        return meeting_detail(meeting, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Give your advice on an RfC of the agenda",
        request=AdviceWriteSerializer,
        responses={201: MeetingDetailSerializer, **WRITE_ERRORS},
        tags=CAB,
    )
    @action(detail=True, methods=["post"])
    def advice(self, request, pk, format=None):
        """A member's advice (approve, reject, abstain), once per RfC."""
        meeting = self.get_object()
        body = _valid(AdviceWriteSerializer, request, rfcs=self._rfcs())
        services.give_advice(meeting, by=request.user, **body)
        return meeting_detail(meeting, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record the change authority's decision on an RfC",
        request=DecisionWriteSerializer,
        responses={201: MeetingDetailSerializer, **WRITE_ERRORS},
        tags=CAB,
    )
    @action(detail=True, methods=["post"])
    def decisions(self, request, pk, format=None):
        """The change manager's decision (A), once the quorum has advised; recorded once
        (a second answers 409: reassess the RfC to decide again)."""
        meeting = self.get_object()
        body = _valid(DecisionWriteSerializer, request, rfcs=self._rfcs())
        services.record_cab_decision(meeting, by=request.user, **body)
        return meeting_detail(meeting, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Record and send the minutes",
        request=MinutesWriteSerializer,
        responses={200: MeetingDetailSerializer, **WRITE_ERRORS},
        tags=CAB,
    )
    @action(detail=True, methods=["post"])
    def minutes(self, request, pk, format=None):
        """Kept once and mailed to the members and the requesters of the RfCs it heard."""
        meeting = self.get_object()
        body = _valid(MinutesWriteSerializer, request)
        return meeting_detail(services.record_minutes(meeting, by=request.user, **body))


@extend_schema_view(
    list=extend_schema(
        summary="The change models",
        responses={200: ChangeModelSerializer(many=True), **error_responses(401)},
        tags=CHANGES,
    )
)
class ChangeModelViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """How each kind of change is handled: whether it is pre-authorised, the notice it
    needs, the hours to decide and whether a review closes it."""

    serializer_class = ChangeModelSerializer
    queryset = ChangeModel.objects.order_by("change_type", "name")
    filter_backends = []
    pagination_class = None
