"""Go-live readiness through the API: a release's Move2Run checklist and what holds its
go-live, an item confirmed, waived or carried into hypercare, and the process owner's
templates. The forms of the pages parse the bodies; the services decide (400, 403, 404,
409 as on the pages)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.api.parsers import JSONParser
from releasemgmt.apiforms import form_errors, form_input, form_request
from releases.api.activities import ReleaseAPIView

from .. import selectors, services
from ..forms import (
    BoardOutcomeForm,
    CarryItemForm,
    CompleteRunbookForm,
    ConfirmItemForm,
    NewTemplateItemForm,
    RunbookSectionForm,
    ScheduleBoardForm,
    TemplateItemForm,
    WaiveItemForm,
)
from ..models import ChecklistItem, GoNoGoBoard, TemplateItem

TAGS = ["readiness"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 415)


class ItemSerializer(serializers.ModelSerializer):
    owner_party = serializers.CharField(source="owner_party.slug")
    settled_by = serializers.CharField(source="settled_by.username", allow_null=True)
    evidence_url = serializers.CharField(help_text="Where the evidence file is downloaded.")

    class Meta:
        model = ChecklistItem
        fields = [
            "id",
            "position",
            "title",
            "description",
            "priority",
            "owner_party",
            "due_date",
            "status",
            "evidence_note",
            "evidence_link",
            "evidence_url",
            "evidence_sha256",
            "reason",
            "settled_by",
            "settled_at",
        ]


class ChecklistSerializer(serializers.Serializer):
    release = serializers.CharField()
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="What of the checklist holds RM.6.2."
    )
    items = ItemSerializer(many=True)


class TemplateLineSerializer(serializers.ModelSerializer):
    owner_party = serializers.CharField(source="owner_party.slug")
    release_type = serializers.CharField(source="template.release_type")

    class Meta:
        model = TemplateItem
        fields = [
            "id",
            "release_type",
            "position",
            "title",
            "description",
            "priority",
            "owner_party",
            "days_before_installation",
        ]


class TemplateSerializer(serializers.Serializer):
    release_type = serializers.CharField()
    label = serializers.CharField()
    items = TemplateLineSerializer(many=True)


def checklist_body(release) -> dict:
    items = selectors.checklist_items(release)
    blocking = selectors.open_blocking(items)
    return {
        "release": release.identifier,
        "missing": [
            f"Move2Run item open ({i.get_priority_display().lower()}, {i.owner_party}): {i.title}"
            for i in blocking
        ],
        "items": items,
    }


class ChecklistView(ReleaseAPIView):
    @extend_schema(responses={200: ChecklistSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, identifier):
        """Seed 002 7.2: the release's Move2Run checklist (made from its type's template
        the first time it is read) and, in `missing`, the open high and medium items that
        hold RM.6.2."""
        release = self.release(identifier)
        return Response(ChecklistSerializer(checklist_body(release)).data)


class _ItemActionView(ReleaseAPIView):
    form_class = ConfirmItemForm
    perform = None

    def _act(self, request, identifier, pk):
        release = self.release(identifier)
        if selectors.item_or_none(release, pk) is None:
            raise NotFound("No such item in this checklist.")
        perform = type(self).perform
        item = self.run(
            release, self.form_class, lambda d: perform(release, pk, by=request.user, **d)
        )
        return Response(ItemSerializer(item).data)


class ConfirmItemView(_ItemActionView):
    form_class, perform = ConfirmItemForm, services.confirm_item

    @extend_schema(
        request=form_request(ConfirmItemForm, "ConfirmChecklistItemRequest"),
        responses={200: ItemSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier, pk):
        """A user of the item's owner party confirms it with its evidence: a note, a file
        (SHA-256 kept) or an http(s) link; 409 if it is no longer open."""
        return self._act(request, identifier, pk)


class WaiveItemView(_ItemActionView):
    form_class, perform = WaiveItemForm, services.waive_item

    @extend_schema(
        request=form_request(WaiveItemForm, "WaiveChecklistItemRequest"),
        responses={200: ItemSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier, pk):
        """The party accountable for RM.6.2 (Table 4-1) lets the release go live without
        the item, with a reason (audited)."""
        return self._act(request, identifier, pk)


class CarryItemView(_ItemActionView):
    form_class, perform = CarryItemForm, services.carry_item

    @extend_schema(
        request=form_request(CarryItemForm, "CarryChecklistItemRequest"),
        responses={200: ItemSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier, pk):
        """A low item carried into hypercare (its owner or RM.6.2's accountable party);
        409 for a high or medium one."""
        return self._act(request, identifier, pk)


def _bound(form_class, request, **kwargs):
    data, files = form_input(form_class, request)
    form = form_class(data=data, files=files, **kwargs)
    if not form.is_valid():
        raise ValidationError(form_errors(form))
    return form.cleaned_data


def _require_owner(user):
    if not raci.may_edit_checklist_templates(user):
        raise PermissionDenied("Only the process owner keeps the Move2Run checklists.")


class TemplatesView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        responses={200: TemplateSerializer(many=True), **error_responses(401)}, tags=TAGS
    )
    def get(self, request):
        """The Move2Run checklist of each release type (anyone logged in reads them)."""
        rows = [
            {"release_type": t, "label": label, "items": lines}
            for t, label, lines in selectors.templates()
        ]
        return Response(TemplateSerializer(rows, many=True).data)

    @extend_schema(
        request=form_request(NewTemplateItemForm, "NewChecklistTemplateItemRequest"),
        responses={201: TemplateLineSerializer, **error_responses(400, 401, 403, 415)},
        tags=TAGS,
    )
    def post(self, request):
        """The process owner adds a line to a release type's checklist; releases
        formalised from now on get it."""
        _require_owner(request.user)
        data = _bound(NewTemplateItemForm, request)
        line = services.add_template_item(by=request.user, **data)
        return Response(TemplateLineSerializer(line).data, status=201)


class TemplateItemView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        request=form_request(TemplateItemForm, "ChecklistTemplateItemRequest"),
        responses={200: TemplateLineSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TAGS,
    )
    def put(self, request, pk):
        """The process owner revises a line (releases already formalised keep theirs)."""
        _require_owner(request.user)
        line = get_object_or_404(TemplateItem, pk=pk)
        data = _bound(TemplateItemForm, request)
        line = services.change_template_item(line, by=request.user, **data)
        return Response(TemplateLineSerializer(line).data)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404)}, tags=TAGS)
    def delete(self, request, pk):
        """The process owner removes a line (audited)."""
        _require_owner(request.user)
        line = get_object_or_404(TemplateItem, pk=pk)
        services.remove_template_item(line, by=request.user)
        return Response(status=204)


# --- the runbook ---------------------------------------------------------------------


class RunbookEditSerializer(serializers.Serializer):
    section = serializers.CharField()
    edited_by = serializers.CharField(source="edited_by.username")
    edited_at = serializers.DateTimeField()
    length = serializers.SerializerMethodField()

    def get_length(self, edit) -> int:
        return len(edit.text)


class RunbookSectionSerializer(serializers.Serializer):
    section = serializers.CharField()
    label = serializers.CharField()
    text = serializers.CharField()


class RunbookSerializer(serializers.Serializer):
    release = serializers.CharField()
    application = serializers.CharField()
    version = serializers.CharField(help_text="V0 for the application's first runbook.")
    started = serializers.BooleanField(help_text="False until someone writes it.")
    based_on = serializers.CharField(allow_null=True)
    complete = serializers.BooleanField()
    completed_by = serializers.CharField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    change_note = serializers.CharField()
    may_write = serializers.BooleanField()
    missing = serializers.ListField(child=serializers.CharField())
    sections = RunbookSectionSerializer(many=True)
    edits = RunbookEditSerializer(many=True)


def runbook_body(release, user) -> dict:
    view = selectors.runbook_view(release)
    version, previous = view["version"], view["previous"]
    return {
        "release": release.identifier,
        "application": release.application.code,
        "version": f"V{view['number']}",
        "started": version is not None,
        "based_on": previous.label if previous else None,
        "complete": bool(version and version.is_complete),
        "completed_by": version.completed_by.username if version and version.completed_by else None,
        "completed_at": version.completed_at if version else None,
        "change_note": version.change_note if version else "",
        "may_write": raci.may_write_runbook(user, release),
        "missing": selectors.runbook_missing(release),
        "sections": [
            {"section": slug, "label": label, "text": text}
            for slug, label, text in view["sections"]
        ],
        "edits": view["edits"],
    }


class RunbookView(ReleaseAPIView):
    @extend_schema(responses={200: RunbookSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, identifier):
        """Seed 002 7.1: the release's runbook version (before it is written, the version
        it will start from), its sections and its edit history."""
        release = self.release(identifier)
        return Response(RunbookSerializer(runbook_body(release, request.user)).data)


class RunbookSectionView(ReleaseAPIView):
    @extend_schema(
        request=form_request(RunbookSectionForm, "RunbookSectionRequest"),
        responses={200: RunbookSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Write one section (R or A of RM.5.1, or the release's application manager);
        409 once the version is complete."""
        release = self.release(identifier)
        self.run(
            release,
            RunbookSectionForm,
            lambda d: services.edit_runbook_section(release, by=request.user, **d),
        )
        return Response(RunbookSerializer(runbook_body(release, request.user)).data)


class RunbookCompleteView(ReleaseAPIView):
    @extend_schema(
        request=form_request(CompleteRunbookForm, "CompleteRunbookRequest"),
        responses={200: RunbookSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Mark the version complete (RM.6.2 waits for it): 409 with `missing` naming the
        empty sections, 400 on `change_note` when a version after V0 does not say what
        changed."""
        release = self.release(identifier)
        self.run(
            release,
            CompleteRunbookForm,
            lambda d: services.complete_runbook(release, by=request.user, **d),
        )
        return Response(RunbookSerializer(runbook_body(release, request.user)).data)


# --- the Go/No-Go board ---------------------------------------------------------------


class AuthorisationSerializer(serializers.Serializer):
    business_thread = serializers.CharField(source="business_thread.slug")
    verdict = serializers.CharField()
    decided_by_name = serializers.CharField()
    decided_at = serializers.DateTimeField()


class BoardSerializer(serializers.ModelSerializer):
    participants = serializers.SlugRelatedField(many=True, read_only=True, slug_field="username")
    parties = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True)
    pack = serializers.SerializerMethodField(
        help_text="The input pack: frozen with the outcome, as it stands while open."
    )

    class Meta:
        model = GoNoGoBoard
        fields = [
            "id",
            "scheduled_at",
            "agenda",
            "participants",
            "parties",
            "outcome",
            "reason",
            "new_installation_date",
            "decided_by",
            "decided_at",
            "pack",
        ]

    def get_pack(self, board) -> dict:
        return selectors.board_pack(board, board.release)


class BoardsSerializer(serializers.Serializer):
    release = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField())
    authorisations = AuthorisationSerializer(many=True)
    boards = BoardSerializer(many=True)


class BoardsView(ReleaseAPIView):
    @extend_schema(responses={200: BoardsSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, identifier):
        """Seed 002 section 6: the release's Go/No-Go boards, the latest first, each with
        its input pack, and RM.5.2's authorisations as context (they stay the record)."""
        release = self.release(identifier)
        boards = selectors.boards_of(release)
        for board in boards:
            board.release = release
        body = {
            "release": release.identifier,
            "missing": selectors.board_missing(release),
            "authorisations": selectors.authorisations(release),
            "boards": boards,
        }
        return Response(BoardsSerializer(body).data)

    @extend_schema(
        request=form_request(ScheduleBoardForm, "ScheduleBoardRequest"),
        responses={201: BoardSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Schedule the board: RM.5.2's accountable party or the release manager; 409
        while another board is undecided or once the installation started."""
        release = self.release(identifier)
        board = self.run(
            release,
            ScheduleBoardForm,
            lambda d: services.schedule_board(release, by=request.user, **d),
        )
        return Response(BoardSerializer(board).data, status=201)


class BoardOutcomeView(ReleaseAPIView):
    @extend_schema(
        request=form_request(BoardOutcomeForm, "BoardOutcomeRequest"),
        responses={200: BoardSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier, pk):
        """Record the outcome, freezing the pack: `go` or `nogo` (with `reason` and
        `new_installation_date`, re-planned) by RM.5.2's accountable party; `cancel`
        (with `reason`) by the release manager, through the cancel transition."""
        release = self.release(identifier)
        if selectors.board_or_none(release, pk) is None:
            raise NotFound("No such board for this release.")
        board = self.run(
            release,
            BoardOutcomeForm,
            lambda d: services.record_outcome(release, pk, by=request.user, **d),
        )
        return Response(BoardSerializer(board).data)
