from django.db.models import Prefetch, Subquery, prefetch_related_objects
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from raci import permissions as raci
from raci.models import Assignment
from releasemgmt.api.errors import error_responses
from releasemgmt.api.exports import FILE_RESPONSES, FORMAT_PARAMETER, RENDERERS, file_format
from releasemgmt.pagecache import kept_part
from releasemgmt.paging import CountedPagination, FiltersOnView

from .. import selectors, services
from ..exports import export_releases
from ..filters import ReleaseFilter
from ..models import Release
from .serializers import (
    RELEASE_ROW,
    AssignRolesSerializer,
    AuditEntrySerializer,
    FormaliseReleaseSerializer,
    ReleaseDetailSerializer,
    ReleaseSerializer,
    RevisePlanningSerializer,
    release_rows,
)


def release_detail_response(request, release, status=200):
    """The release as the API shows it after a write: read again, with the user's grants
    (the write may have changed both)."""
    release = (
        Release.objects.select_related("application")
        .annotate(coordinator=Subquery(selectors.coordinator_username()))
        .get(pk=release.pk)
    )
    raci.forget(request.user, principals=False)
    return _detail_of(request, release, status)


def _detail_of(request, release, status=200):
    """The release as the API shows it to this user (activities with may_perform, the
    transitions the user may fire now), from a row as ``release_row_or_404`` reads it.
    Its holders come with their parties, people and groups in one query (issue 17: one
    query per holder before)."""
    prefetch_related_objects(
        [release],
        Prefetch("assignments", Assignment.objects.select_related("party", "user", "group")),
    )
    context = {"request": request, "granted": raci.granted_codenames(request.user, release)}
    return Response(ReleaseDetailSerializer(release, context=context).data, status=status)


@extend_schema_view(
    list=extend_schema(
        responses={200: ReleaseSerializer(many=True), **error_responses(400, 401, 404)}
    ),
    retrieve=extend_schema(responses={200: ReleaseDetailSerializer, **error_responses(401, 404)}),
)
class ReleaseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Releases the caller may see; other releases answer 404."""

    lookup_field = "identifier"
    lookup_value_regex = "[^/]+"
    filterset_class = ReleaseFilter
    filter_backends = [FiltersOnView]
    pagination_class = CountedPagination
    queryset = Release.objects.none()

    def get_queryset(self):
        return selectors.release_list(
            self.request.user, Release.objects.order_by("planned_installation_date", "identifier")
        )

    def rows_counter(self):
        """The list's total up to the pager's bound (``ReleaseFilter.counter``), as the
        web list counts; the audit trail counts its own rows."""
        if self.action != "list":
            return None
        return self.filterset.counter()  # as ``FiltersOnView`` left them

    def get_serializer_class(self):
        return {
            "retrieve": ReleaseDetailSerializer,
            "create": FormaliseReleaseSerializer,
            "partial_update": RevisePlanningSerializer,
            "assign_roles": AssignRolesSerializer,
            "audit": AuditEntrySerializer,
        }.get(self.action, ReleaseSerializer)

    def get_object(self):
        return selectors.release_row_or_404(self.request.user, self.kwargs["identifier"])

    def list(self, request, *args, **kwargs):
        """The releases the caller may see, filtered, a page at a time; read as values and
        written as ``ReleaseSerializer`` writes them (``release_rows``, issue 17)."""
        releases = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(releases.values(*RELEASE_ROW.values()))
        return self.get_paginated_response(release_rows(page))

    def retrieve(self, request, *args, **kwargs):
        """The release, its data kept until a row it shows changes, as the release page's
        part is (``selectors.release_version``, issue 17)."""
        release = self.get_object()
        data = kept_part(
            request,
            "release-api",
            version=lambda: selectors.release_version(request.user, release),
            make=lambda: _detail_of(request, release).data,
            has_forms=False,
        )
        return Response(data)

    def _detail(self, release):
        return release_detail_response(self.request, release)

    @extend_schema(
        request=FormaliseReleaseSerializer,
        responses={201: ReleaseDetailSerializer, **error_responses(400, 401, 403, 415)},
    )
    def create(self, request, format=None):
        """RM.1.1 Formalise release (ITSM Release Managers only)."""
        serializer = FormaliseReleaseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        release = services.formalise_release(by=request.user, **serializer.validated_data)
        self.kwargs["identifier"] = release.identifier
        response = self._detail(release)
        response.status_code = status.HTTP_201_CREATED
        return response

    @extend_schema(
        request=RevisePlanningSerializer,
        responses={200: ReleaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    def partial_update(self, request, identifier, format=None):
        """RM.1.1: revise the planning of an open release."""
        release = self.get_object()
        serializer = RevisePlanningSerializer(release, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        release = services.revise_planning(release, by=request.user, **serializer.validated_data)
        return self._detail(release)

    @extend_schema(
        request=AssignRolesSerializer,
        responses={200: ReleaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
    )
    @action(detail=True, methods=["post"], url_path="assign-roles")
    def assign_roles(self, request, identifier, format=None):
        """RM.1.2 Assign roles: deployment coordinator, business threads, developers."""
        release = self.get_object()
        raci.require_perform(request.user, release, "RM.1.2")
        serializer = AssignRolesSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assign_roles(release, by=request.user, **serializer.validated_data)
        return self._detail(release)

    @extend_schema(responses={200: AuditEntrySerializer(many=True), **error_responses(401, 404)})
    @action(detail=True, methods=["get"], filter_backends=[])
    def audit(self, request, identifier, format=None):
        """The release's audit trail, newest first."""
        release = self.get_object()
        page = self.paginate_queryset(selectors.audit_trail(release))
        return self.get_paginated_response(AuditEntrySerializer(page, many=True).data)

    @extend_schema(
        summary="The release list as a file",
        parameters=[FORMAT_PARAMETER],
        responses={**FILE_RESPONSES, **error_responses(400, 401, 404)},
    )
    @action(detail=False, methods=["get"], renderer_classes=RENDERERS, pagination_class=None)
    def export(self, request, format=None):
        """The releases the caller may see, with the list's filters, as CSV (streamed)
        or XLSX."""
        return export_releases(self.filter_queryset(self.get_queryset()), file_format(request))

    @extend_schema(
        summary="The release schedule as a file",
        parameters=[FORMAT_PARAMETER],
        responses={**FILE_RESPONSES, **error_responses(400, 401, 404)},
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="schedule/export",
        renderer_classes=RENDERERS,
        pagination_class=None,
    )
    def schedule_export(self, request, format=None):
        """The published releases (RM.1.4) the caller may see, by planned installation
        date, with the list's filters, as CSV (streamed) or XLSX."""
        releases = self.filter_queryset(self.get_queryset().filter(published_at__isnull=False))
        return export_releases(releases, file_format(request), schedule=True)
