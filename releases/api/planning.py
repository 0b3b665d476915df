"""The dated plan through the API: a release's milestones (planned window, baseline of
RM.1.4, actual date, slippage, re-plans) and the blackout and maintenance windows. The
form of the page parses a milestone; ``releases.planning`` decides, with the errors of
the pages (400 naming the field, 403, 404, 409)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_request

from .. import planning, selectors
from ..filters import WindowFilter
from ..forms import MilestoneForm
from ..models import Window
from .activities import ReleaseAPIView
from .serializers import MilestoneSerializer, WindowSerializer, WindowWriteSerializer

PLANNING = ["planning"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 415)
MANAGED_BY = "Only an ITSM Release Manager manages blackout and maintenance windows."


class MilestonesView(ReleaseAPIView):
    """The release's plan, and planning one milestone."""

    @extend_schema(
        responses={200: MilestoneSerializer(many=True), **error_responses(401, 404)},
        tags=PLANNING,
    )
    def get(self, request, identifier):
        """Each milestone with its window, baseline (RM.1.4), actual date (the record of
        its activity), slippage in days and re-plans with their reasons (a fixed number
        of queries)."""
        release = self.release(identifier)
        return Response(MilestoneSerializer(selectors.release_plan(release), many=True).data)

    @extend_schema(
        request=form_request(MilestoneForm, "PlanMilestoneRequest"),
        responses={201: MilestoneSerializer, **WRITE_ERRORS},
        tags=PLANNING,
    )
    def post(self, request, identifier):
        """Plan or re-plan a milestone to the hour: the release manager any, the
        deployment coordinator the kick-off, tests and installation, the campaign
        coordinator the conformance testing; once the plan is published (RM.1.4) a
        re-plan says why. RM.1.1's dates follow the delivery and installation."""
        release = self.release(identifier)
        if not planning.plannable_kinds(request.user, release):
            raise PermissionDenied(
                f"You plan no milestone of {release.identifier}: the release manager, the "
                "deployment coordinator and the campaign coordinator do."
            )
        milestone = self.run(
            release,
            MilestoneForm,
            lambda data: planning.plan_milestone(
                release,
                data["kind"],
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            ),
        )
        planned = next(m for m in selectors.release_plan(release) if m.pk == milestone.pk)
        return Response(MilestoneSerializer(planned).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(
        responses={200: WindowSerializer(many=True), **error_responses(400, 401, 404)},
        tags=PLANNING,
    ),
    retrieve=extend_schema(
        responses={200: WindowSerializer, **error_responses(401, 404)}, tags=PLANNING
    ),
)
class WindowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Blackout and maintenance windows: anyone logged in reads them, the release
    manager records, changes and removes them (``planning.save_window``,
    ``planning.remove_window``: validated and audited)."""

    serializer_class = WindowSerializer
    filterset_class = WindowFilter
    lookup_value_regex = "[0-9]+"
    queryset = Window.objects.none()

    def get_queryset(self):
        return selectors.window_list()

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def _manager(self):
        if not raci.may_formalise(self.request.user):
            raise PermissionDenied(MANAGED_BY)

    def _saved(self, window, code=status.HTTP_200_OK):
        return Response(WindowSerializer(self.get_queryset().get(pk=window.pk)).data, code)

    @extend_schema(
        request=WindowWriteSerializer,
        responses={201: WindowSerializer, **error_responses(400, 401, 403, 415)},
        tags=PLANNING,
    )
    def create(self, request, format=None):
        """A new window (the release manager)."""
        self._manager()
        body = WindowWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        window = planning.save_window(by=request.user, **body.validated_data)
        return self._saved(window, status.HTTP_201_CREATED)

    @extend_schema(
        request=WindowWriteSerializer,
        responses={200: WindowSerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=PLANNING,
    )
    def partial_update(self, request, pk, format=None):
        """Change some of a window's fields (the release manager)."""
        self._manager()
        window = self.get_object()
        body = WindowWriteSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        window = planning.save_window(window, by=request.user, **body.validated_data)
        return self._saved(window)

    @extend_schema(
        responses={204: None, **error_responses(401, 403, 404)},
        tags=PLANNING,
    )
    def destroy(self, request, pk, format=None):
        """Remove a window (the release manager; audited)."""
        self._manager()
        planning.remove_window(self.get_object(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
