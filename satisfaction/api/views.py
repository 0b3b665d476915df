"""The satisfaction survey of a release through the API, with the rules and errors of
the pages."""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_request
from releases.api.activities import ReleaseAPIView

from .. import selectors, services
from ..forms import AnswerForm
from ..models import Survey


class SurveySerializer(serializers.ModelSerializer):
    respondent = serializers.CharField(source="respondent.username")
    thread = serializers.CharField(source="thread.slug", allow_null=True, default=None)
    answered = serializers.BooleanField()

    class Meta:
        model = Survey
        fields = [
            "id",
            "respondent",
            "thread",
            "requester",
            "asked_at",
            "reminded_at",
            "answered",
            "score",
            "comment",
            "answered_at",
        ]


class SatisfactionSerializer(serializers.Serializer):
    average = serializers.FloatField(
        allow_null=True, help_text="Average score out of 10 (release managers only)."
    )
    answered = serializers.IntegerField(help_text="Surveys answered, of those listed.")
    owed = serializers.IntegerField(help_text="Surveys not answered yet, of those listed.")
    surveys = SurveySerializer(many=True, help_text="Every survey, or only the caller's.")


def _response(release, user, code=status.HTTP_200_OK):
    records = selectors.release_satisfaction(release, user)
    data = {
        "average": records["average"],
        "answered": records["answered_count"],
        "owed": records["owed_count"],
        "surveys": records["surveys"],
    }
    return Response(SatisfactionSerializer(data).data, status=code)


class SatisfactionView(ReleaseAPIView):
    @extend_schema(
        responses={200: SatisfactionSerializer, **error_responses(401, 404)},
        tags=["satisfaction"],
    )
    def get(self, request, identifier):
        """The release's satisfaction survey after closure: every respondent's answer and
        the average score for a release manager; the caller's own survey for anyone
        else who may see the release."""
        return _response(self.release(identifier), request.user)

    @extend_schema(
        request=form_request(AnswerForm, "SatisfactionAnswerRequest"),
        responses={201: SatisfactionSerializer, **error_responses(400, 401, 403, 404, 409)},
        tags=["satisfaction"],
    )
    def post(self, request, identifier):
        """Answer the caller's own survey of the release, once: a score from 0 to 10 and
        an optional comment (404 when the caller was not asked, 409 once answered)."""
        release = self.release(identifier)
        survey = selectors.survey_of(release, request.user)
        if survey is None:
            raise Http404("You were not asked about this release.")
        self.run(
            release,
            AnswerForm,
            lambda data: services.answer(survey, by=request.user, **data),
            target=survey,
        )
        return _response(release, request.user, status.HTTP_201_CREATED)
