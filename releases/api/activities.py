"""The lifecycle through the API, generated from the activity registry: one endpoint per
activity (its own request body in the schema), the extra actions, the hand-fired stage
transitions and the communications of a release. The same forms parse the input and the
same services decide as on the web pages."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.api.parsers import JSONParser
from releasemgmt.apiforms import form_errors, form_input, form_request, form_serializer
from releasemgmt.notifications.models import Communication

from .. import registry, selectors, services
from ..forms import TransitionForm
from ..lifecycle import GATES
from .serializers import ReleaseDetailSerializer
from .views import release_detail_response


class ReleaseAPIView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def release(self, identifier):
        return selectors.visible_release_or_404(self.request.user, identifier)

    def run(self, release, form_class, perform, **form_kwargs):
        data, files = form_input(form_class, self.request)
        form = form_class(data=data, files=files, release=release, **form_kwargs)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return perform(form.cleaned_data)


class ActivityView(ReleaseAPIView):
    """Perform one activity (the subclass per activity sets ``code``)."""

    code = ""

    def post(self, request, identifier):
        release = self.release(identifier)
        raci.require_perform(request.user, release, self.code)
        spec = registry.find(self.code)
        self.run(
            release,
            spec.form,
            lambda data: registry.perform(spec, release, by=request.user, data=data),
        )
        return release_detail_response(request, release)


class ActionView(ReleaseAPIView):
    """An extra action of an activity (uploads, tasks, RfC inclusion)."""

    slug = ""

    def post(self, request, identifier):
        release = self.release(identifier)
        step = registry.find_action(self.slug)
        if not step.may_try(request.user, release):
            raise PermissionDenied(
                f"Only the parties Responsible or Accountable for {step.activity}."
            )
        self.run(
            release,
            step.form,
            lambda data: registry.perform(step, release, by=request.user, data=data),
        )
        return release_detail_response(request, release, status=201)


def _activity_slug(code: str) -> str:
    return code.replace(".", "_").lower()


def _post_of(base):
    """A fresh ``post`` per generated view, so each gets its own schema."""

    def post(self, request, identifier):
        return base.post(self, request, identifier)

    return post


def activity_views():
    """(code, view class) for every activity, each with its request body documented."""
    for spec in registry.performed_by_form():
        code, step = spec.code, spec
        post = extend_schema(
            request=form_request(step.form, f"Perform{_activity_slug(code).title()}Request"),
            responses={
                200: ReleaseDetailSerializer,
                **error_responses(400, 401, 403, 404, 409, 415),
            },
            summary=f"{code}: {step.label}",
            operation_id=f"perform_{_activity_slug(code)}",
            tags=["activities"],
        )(_post_of(ActivityView))
        yield (
            code,
            type(
                f"Perform{_activity_slug(code)}View",
                (ActivityView,),
                {"code": code, "post": post, "__doc__": step.perform.__doc__},
            ),
        )


def action_views():
    for step in registry.all_actions():
        slug = step.slug
        name = slug.replace("-", "_")
        post = extend_schema(
            request=form_request(step.form, f"{name.title().replace('_', '')}Request"),
            responses={
                201: ReleaseDetailSerializer,
                **error_responses(400, 401, 403, 404, 409, 415),
            },
            summary=f"{step.activity}: {step.label}",
            operation_id=name,
            tags=["activities"],
        )(_post_of(ActionView))
        yield (
            slug,
            type(
                f"{name.title().replace('_', '')}View",
                (ActionView,),
                {"slug": slug, "post": post, "__doc__": step.perform.__doc__},
            ),
        )


TransitionRequest = form_serializer(TransitionForm, "TransitionRequest")


class TransitionView(ReleaseAPIView):
    @extend_schema(
        request=TransitionRequest,
        responses={200: ReleaseDetailSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=["activities"],
    )
    def post(self, request, identifier, name):
        """Fire a stage transition by hand: 403 without R or A, 409 naming the missing gate."""
        if name not in GATES:
            raise NotFound("No such transition.")
        release = self.release(identifier)
        release = self.run(
            release,
            TransitionForm,
            lambda data: services.fire_transition(
                release, name, by=request.user, reason=data["reason"]
            ),
        )
        return release_detail_response(request, release)


class TransitionStateSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="For POST .../transitions/<name>/.")
    activity = serializers.CharField(help_text="Its R and A may fire it (Table 4-1).")
    possible_from_stage = serializers.BooleanField()
    may_fire = serializers.BooleanField(help_text="The caller is R or A for the activity.")
    needs_reason = serializers.BooleanField()
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Gate activities still to be done."
    )


class TransitionsView(ReleaseAPIView):
    @extend_schema(
        responses={200: TransitionStateSerializer(many=True), **error_responses(401, 404)},
        tags=["activities"],
    )
    def get(self, request, identifier):
        """Every stage transition with what it still needs for the caller."""
        release = self.release(identifier)
        states = selectors.transition_states(request.user, release)
        return Response(TransitionStateSerializer(states, many=True).data)


class CommunicationSerializer(serializers.ModelSerializer):
    recipients = serializers.SerializerMethodField()

    class Meta:
        model = Communication
        fields = [*selectors.COMMUNICATION_FIELDS, "recipients"]

    def get_recipients(self, obj) -> list[dict]:
        return obj["recipients"]  # read with it (``selectors.communications_of``)


class CommunicationsView(ReleaseAPIView):
    @extend_schema(
        responses={200: CommunicationSerializer(many=True), **error_responses(401, 404)},
        tags=["decisions"],
    )
    def get(self, request, identifier):
        """The communications the process required for this release, with addressees."""
        release = self.release(identifier)
        comms = selectors.communications_of(release)
        return Response(CommunicationSerializer(comms, many=True).data)
