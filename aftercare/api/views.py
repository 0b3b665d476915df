"""Aftercare through the API: a release's hypercare, its incidents and its closure. The
pages' forms parse the input and the same services decide, with the same errors (400
naming the field, 403, 404 for a release the user may not see, 409 with ``missing``)."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_request
from releases.api.activities import ReleaseAPIView

from .. import selectors, services
from ..forms import CloseHypercareForm, IncidentForm, ResolveIncidentForm
from .serializers import HypercareStateSerializer, IncidentSerializer

TAGS = ["aftercare"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 415)


def _state(release, user):
    return HypercareStateSerializer(selectors.hypercare_of(release, user)).data


class HypercareView(ReleaseAPIView):
    @extend_schema(
        responses={200: HypercareStateSerializer, **error_responses(401, 404)}, tags=TAGS
    )
    def get(self, request, identifier):
        """The release's hypercare (null before go-live, RM.6.5): its period, exit
        criteria, incidents and timeline, with what the caller may do."""
        return Response(_state(self.release(identifier), request.user))


class IncidentsView(ReleaseAPIView):
    @extend_schema(
        request=form_request(IncidentForm, "IncidentRequest"),
        responses={201: IncidentSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Record an incident against the release in hypercare (its deployment
        coordinator, the release manager, the service desk, the infrastructure and
        application managers); the reference is unique per release."""
        release = self.release(identifier)
        incident = self.run(
            release,
            IncidentForm,
            lambda data: services.record_incident(release, by=request.user, **data),
        )
        return Response(IncidentSerializer(incident).data, status=201)


class ResolveIncidentView(ReleaseAPIView):
    @extend_schema(
        request=form_request(ResolveIncidentForm, "ResolveIncidentRequest"),
        responses={200: IncidentSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier, reference):
        """An incident of the release resolved (now, or at ``resolved_at``)."""
        release = self.release(identifier)
        incident = self.run(
            release,
            ResolveIncidentForm,
            lambda data: services.resolve_incident(release, reference, by=request.user, **data),
        )
        return Response(IncidentSerializer(incident).data)


class CloseHypercareView(ReleaseAPIView):
    @extend_schema(
        request=form_request(CloseHypercareForm, "CloseHypercareRequest"),
        responses={200: HypercareStateSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Close the release's hypercare (the release manager), with why: 409 naming
        the exit criteria not met, unless ``override_reason`` says why all the same."""
        release = self.release(identifier)
        self.run(
            release,
            CloseHypercareForm,
            lambda data: services.close_hypercare(release, by=request.user, **data),
        )
        return Response(_state(release, request.user))
