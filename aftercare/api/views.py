"""Aftercare through the API: a release's hypercare, its incidents and its closure. The
pages' forms parse the input and the same services decide, with the same errors (400
naming the field, 403, 404 for a release the user may not see, 409 with ``missing``)."""

from django.utils.functional import cached_property
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_errors, form_request
from releasemgmt.paging import CountedPagination
from releases.api.activities import ReleaseAPIView

from .. import lessons, selectors, services
from ..forms import (
    ActionForm,
    ActionStatusForm,
    CloseHypercareForm,
    IncidentForm,
    LessonForm,
    LessonSearchForm,
    ResolveIncidentForm,
    ReviewForm,
    TriggerRollbackForm,
)
from ..models import PostReleaseReview
from .serializers import (
    ActionSerializer,
    HypercareStateSerializer,
    IncidentSerializer,
    LessonSerializer,
    ReviewStateSerializer,
)

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


class TriggerRollbackView(ReleaseAPIView):
    @extend_schema(
        request=form_request(TriggerRollbackForm, "TriggerRollbackRequest"),
        responses={200: HypercareStateSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Trigger the rollback of a live release from hypercare (the deployment
        coordinator, R and A of RM.6.4), with why: RM.6.4 is owed again and goes on as
        after a failed installation (the threads validate, then ``RM.6.4`` is performed).
        409 once the closure is prepared (RM.6.7) or when it is triggered already."""
        release = self.release(identifier)
        self.run(
            release,
            TriggerRollbackForm,
            lambda data: services.trigger_rollback(release, by=request.user, **data),
        )
        return Response(_state(release, request.user))


def _review(release, user):
    return ReviewStateSerializer(selectors.review_of(release, user)).data


class ReviewView(ReleaseAPIView):
    @extend_schema(responses={200: ReviewStateSerializer, **error_responses(401, 404)}, tags=TAGS)
    def get(self, request, identifier):
        """The release's post-release review: why it is owed, planned against actual,
        hypercare's incidents, the rollback, the review and its improvement actions."""
        return Response(_review(self.release(identifier), request.user))

    @extend_schema(
        request=form_request(ReviewForm, "PostReleaseReviewRequest"),
        responses={201: ReviewStateSerializer, 200: ReviewStateSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Write the post-release review, or complete it (the release manager, once the
        release is live or rolled back): 201 the first time, 200 after."""
        release = self.release(identifier)
        existed = PostReleaseReview.objects.filter(release=release).exists()
        self.run(
            release,
            ReviewForm,
            lambda data: services.write_review(release, by=request.user, **data),
        )
        return Response(_review(release, request.user), status=200 if existed else 201)


class ActionsView(ReleaseAPIView):
    @extend_schema(
        request=form_request(ActionForm, "ImprovementActionRequest"),
        responses={201: ActionSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Add an improvement action to the review (the release manager): its owner, by
        username, is reminded by mail until it is done."""
        release = self.release(identifier)
        action = self.run(
            release,
            ActionForm,
            lambda data: services.add_action(release, by=request.user, **data),
        )
        return Response(ActionSerializer(action).data, status=201)


class ActionView(ReleaseAPIView):
    @extend_schema(
        request=form_request(ActionStatusForm, "ImprovementActionStatusRequest"),
        responses={200: ActionSerializer, **WRITE_ERRORS},
        tags=TAGS,
        operation_id="v1_releases_review_actions_move",
    )
    def post(self, request, identifier, pk):
        """Move an improvement action on (its owner or the release manager)."""
        release = self.release(identifier)
        action = self.run(
            release,
            ActionStatusForm,
            lambda data: services.set_action_status(release, pk, by=request.user, **data),
        )
        return Response(ActionSerializer(action).data)


class LessonsView(ReleaseAPIView):
    @extend_schema(
        request=form_request(LessonForm, "LessonRequest"),
        responses={201: LessonSerializer, **WRITE_ERRORS},
        tags=TAGS,
    )
    def post(self, request, identifier):
        """Add a lesson learned to the review (the release manager): what happened, what
        to do next time, tags separated by commas."""
        release = self.release(identifier)
        lesson = self.run(
            release,
            LessonForm,
            lambda data: lessons.add_lesson(release, by=request.user, **data),
        )
        return Response(LessonSerializer(lesson).data, status=201)


class LessonListView(ListAPIView):
    serializer_class = LessonSerializer
    pagination_class = CountedPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Words of what happened or of next time."),
            OpenApiParameter("application", str, description="An application's code."),
            OpenApiParameter("tag", str),
        ],
        responses={200: LessonSerializer(many=True), **error_responses(400, 401, 404)},
        tags=TAGS,
    )
    def get(self, request, *args, **kwargs):
        """The lessons learned of the releases the caller may see, newest first, by text
        (PostgreSQL's full-text search), application and tag; paged."""
        return super().get(request, *args, **kwargs)

    @cached_property
    def wanted(self) -> dict:
        """The search of the query (400 naming the field), validated once a request."""
        form = LessonSearchForm(self.request.query_params)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        return {k: form.cleaned_data.get(k) or "" for k in ("q", "application", "tag")}

    def get_queryset(self):
        return lessons.search(self.request.user, **self.wanted)

    def rows_counter(self):
        """The total counted the cheaper way (``lessons.count``), up to the pager's bound."""
        return lambda up_to: lessons.count(self.request.user, up_to, **self.wanted)
