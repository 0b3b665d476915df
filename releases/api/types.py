"""A release type's path through the API (issue 12 point 5): waive an activity, catch it
up after the installation, and what the type does to this
release; and the release policy of each application (point 7). The forms of the pages
parse the input; ``releases.waivers`` and ``releases.policy`` decide, with the errors of
the pages (400 naming the field, 403, 404, 409)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_request

from .. import policy, registry, selectors, waivers
from ..forms import CatchUpForm, WaiveForm
from ..models import Application, ReleasePolicy
from .activities import ReleaseAPIView
from .serializers import (
    PolicySerializer,
    PolicyWriteSerializer,
    ReleaseDetailSerializer,
    ReleasePathSerializer,
)
from .views import release_detail_response

TYPES = ["release types"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 415)


def _activity(code: str) -> str:
    if registry.find(code) is None:
        raise NotFound("No such activity.")
    return code


class PathView(ReleaseAPIView):
    @extend_schema(responses={200: ReleasePathSerializer, **error_responses(401, 404)}, tags=TYPES)
    def get(self, request, identifier):
        """What the release's type does to its path: the activities waived, those owed
        since the installation, the post-release review, when the users are told, and
        the policy breaches accepted at RM.1.1."""
        release = self.release(identifier)
        return Response(ReleasePathSerializer(selectors.release_path(release, request.user)).data)


def _waiver_view(form, service, summary: str, schema_name: str):
    """A write on one activity of a release (waive it, catch it up): the form, the
    service, the release as it now is."""

    class View(ReleaseAPIView):
        @extend_schema(
            request=form_request(form, schema_name),
            responses={200: ReleaseDetailSerializer, **WRITE_ERRORS},
            tags=TYPES,
            summary=summary,
        )
        def post(self, request, identifier, code):
            release = self.release(identifier)
            code = _activity(code)
            self.run(release, form, lambda data: service(release, code, by=request.user, **data))
            return release_detail_response(request, release)

    return View


WaiveView = _waiver_view(
    WaiveForm,
    waivers.waive_activity,
    "Waive an activity the release's type may waive, with a reason (its R or A)",
    "WaiveRequest",
)
CatchUpView = _waiver_view(
    CatchUpForm,
    waivers.catch_up_activity,
    "Catch up a waived activity once the release is installed (its R or A)",
    "CatchUpRequest",
)


class PoliciesView(APIView):
    @extend_schema(responses={200: PolicySerializer(many=True), **error_responses(401)}, tags=TYPES)
    def get(self, request):
        """Every application's release policy (applications without one are left out)."""
        policies = ReleasePolicy.objects.select_related(
            "application", "updated_by"
        ).prefetch_related("windows")
        return Response(PolicySerializer(policies, many=True).data)


class PolicyView(APIView):
    def _policy(self, code):
        application = get_object_or_404(Application, code=code)
        return application, policy.policy_of(application)

    @extend_schema(responses={200: PolicySerializer, **error_responses(401, 404)}, tags=TYPES)
    def get(self, request, code):
        """One application's release policy; while it has none, the defaults (no rule,
        ``updated_by`` null)."""
        application, current = self._policy(code)
        return Response(PolicySerializer(current or ReleasePolicy(application=application)).data)

    @extend_schema(
        request=PolicyWriteSerializer,
        responses={200: PolicySerializer, **error_responses(400, 401, 403, 404, 415)},
        tags=TYPES,
    )
    def put(self, request, code):
        """Set the application's release policy (the release manager or the process
        owner); every field not sent takes its default."""
        if not raci.may_manage_policies(request.user):
            raise PermissionDenied("Only an ITSM Release Manager or a process owner sets a policy.")
        application, _ = self._policy(code)
        body = PolicyWriteSerializer(data=request.data, context={"application": application})
        body.is_valid(raise_exception=True)
        saved = policy.save_policy(application, by=request.user, **body.validated_data)
        return Response(PolicySerializer(policy.policy_of(saved.application)).data)
