"""The quarterly review through the API (seed 002 section 6; issue 15 point 7): the
quarters with whether each is reviewed, one quarter's KPIs, lessons learned, open
improvement actions and review, and the release manager's record of it. The page's
forms parse the input and the same services decide: 400 naming the field, 403 for who
may not, 404 for a malformed quarter."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.api.parsers import JSONParser
from releasemgmt.apiforms import form_errors, form_input, form_request

from .. import review_selectors, services
from ..models import QuarterlyReview, QuarterlyReviewAction
from ..review_forms import QuarterlyActionStatusForm, QuarterlyReviewForm
from .views import KpiSerializer, PeriodSerializer

TAGS = ["kpis"]
WRITE_ERRORS = error_responses(400, 401, 403, 404, 415)
QUARTER = OpenApiParameter(
    "quarter",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    description="The quarter, as 2026-Q3.",
    pattern=r"^\d{4}-Q[1-4]$",
)


def _period(period) -> dict:
    return {"key": period.key, "label": period.label, "start": period.start, "end": period.end}


class QuarterlyActionSerializer(serializers.ModelSerializer):
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    late = serializers.SerializerMethodField(help_text="Open and past its due date.")

    class Meta:
        model = QuarterlyReviewAction
        fields = ["id", "title", "owner", "due_date", "status", "done_at", "late"]

    def get_late(self, action) -> bool:
        return bool(self.context.get("late", {}).get(action.pk))


class QuarterlyReviewSerializer(serializers.ModelSerializer):
    participants = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    actions = QuarterlyActionSerializer(many=True, read_only=True)

    class Meta:
        model = QuarterlyReview
        fields = [
            "held_on",
            "participants",
            "summary",
            "decisions",
            "recorded_by",
            "recorded_at",
            "updated_at",
            "actions",
        ]


class ListedQuarterSerializer(serializers.Serializer):
    quarter = serializers.CharField(help_text="2026-Q3.")
    start = serializers.DateField()
    end = serializers.DateField(help_text="Included.")
    recorded = serializers.BooleanField(help_text="Whether its review is recorded.")
    held_on = serializers.DateField(allow_null=True)


class QuarterLessonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    release = serializers.CharField(help_text="The release's identifier.")
    application = serializers.CharField(help_text="The application's code.")
    what_happened = serializers.CharField()
    next_time = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    author = serializers.CharField()
    created_at = serializers.DateTimeField()


class OpenActionSerializer(serializers.Serializer):
    title = serializers.CharField()
    owner = serializers.CharField(help_text="Their username.")
    due_date = serializers.DateField()
    status = serializers.CharField()
    late = serializers.BooleanField(help_text="Past its due date.")
    release = serializers.CharField(
        allow_null=True, help_text="The release whose post-release review decided it."
    )
    quarter = serializers.CharField(
        allow_null=True, help_text="The quarterly review that decided it."
    )


class QuarterPageSerializer(serializers.Serializer):
    period = PeriodSerializer()
    previous = PeriodSerializer()
    kpis = KpiSerializer(many=True)
    lessons = QuarterLessonSerializer(many=True, help_text="The first 20, oldest first.")
    lessons_count = serializers.IntegerField(help_text="How many lessons the quarter has.")
    open_actions = OpenActionSerializer(many=True, help_text="The first 20, by due date.")
    open_actions_count = serializers.IntegerField(
        allow_null=True,
        help_text="How many actions are open; null when more than "
        f"{review_selectors.ACTIONS_COUNTED_UP_TO:,}.",
    )
    review = QuarterlyReviewSerializer(allow_null=True)
    may_record = serializers.BooleanField(help_text="Whether the caller records the review.")


def _reader(request) -> None:
    if not review_selectors.may_read(request.user):
        raise PermissionDenied("The quarterly reviews are for the ITSM staff.")


def _quarter_or_404(text):
    period = review_selectors.quarter(text)
    if period is None:
        raise Http404("No such quarter: write it as 2026-Q3.")
    return period


def _page(user, period) -> dict:
    page = review_selectors.review_page(user, period)
    review = page["review"]
    late = {row["action"].pk: row["late"] for row in page["review_actions"]}
    return {
        "period": _period(period),
        "previous": _period(page["previous"]),
        "kpis": KpiSerializer(page["kpis"], many=True).data,
        "lessons": [
            {
                "id": lesson.pk,
                "release": lesson.release.identifier,
                "application": lesson.application.code,
                "what_happened": lesson.what_happened,
                "next_time": lesson.next_time,
                "tags": [t.strip() for t in lesson.tags_text.split(",") if t.strip()],
                "author": lesson.author.username,
                "created_at": lesson.created_at,
            }
            for lesson in page["lessons"]
        ],
        "lessons_count": page["lessons_count"],
        "open_actions": [
            {
                "title": a["title"],
                "owner": a["owner"].username,
                "due_date": a["due_date"],
                "status": a["status"],
                "late": a["late"],
                "release": a["release"].identifier if a["release"] else None,
                "quarter": a["quarter"] or None,
            }
            for a in page["open_actions"]
        ],
        "open_actions_count": None if page["open_actions_more"] else page["open_actions_count"],
        "review": (
            QuarterlyReviewSerializer(review, context={"late": late}).data if review else None
        ),
        "may_record": page["may_record"],
    }


class QuarterlyReviewListView(ListAPIView):
    serializer_class = ListedQuarterSerializer

    @extend_schema(
        responses={200: ListedQuarterSerializer(many=True), **error_responses(401, 403, 404)},
        tags=TAGS,
        operation_id="kpis_reviews_list",
    )
    def get(self, request, *args, **kwargs):
        """The last eight quarters up to this one and every other quarter with a recorded
        review, newest first, each with whether its review is recorded; paged. For the
        ITSM staff (403 for others: the figures are of every release)."""
        _reader(request)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's generator asks
            return QuarterlyReview.objects.none()
        return [
            {
                "quarter": q.key,
                "start": q.period.start,
                "end": q.period.end,
                "recorded": q.review is not None,
                "held_on": q.review.held_on if q.review else None,
            }
            for q in review_selectors.listed_quarters()
        ]


class QuarterlyReviewView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[QUARTER],
        responses={200: QuarterPageSerializer, **error_responses(401, 403, 404)},
        tags=TAGS,
        operation_id="kpis_reviews_retrieve",
    )
    def get(self, request, quarter):
        """The quarter's KPIs with the quarter before (as ``/api/v1/kpis/`` gives them),
        the lessons learned recorded in it, the improvement actions open now (of the
        releases' reviews and of the quarterly reviews) and the quarter's review. For the
        ITSM staff; 404 for a quarter not written as 2026-Q3."""
        _reader(request)
        return Response(_page(request.user, _quarter_or_404(quarter)))

    @extend_schema(
        parameters=[QUARTER],
        request=form_request(QuarterlyReviewForm, "QuarterlyReviewRequest"),
        responses={200: QuarterPageSerializer, 201: QuarterPageSerializer, **WRITE_ERRORS},
        tags=TAGS,
        operation_id="kpis_reviews_record",
    )
    def post(self, request, quarter):
        """Record the quarter's review, or update it (the release manager): when it was
        held, who took part, what it found and decided; with ``action_title``,
        ``action_owner`` and ``action_due_date`` (all three or none) an improvement action
        it decided. 201 the first time, 200 after."""
        _reader(request)
        period = _quarter_or_404(quarter)
        data, files = form_input(QuarterlyReviewForm, request)
        form = QuarterlyReviewForm(data=data, files=files)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        existed = QuarterlyReview.objects.filter(quarter_start=period.start).exists()
        services.record_quarterly_review(period, by=request.user, **form.cleaned_data)
        return Response(_page(request.user, period), status=200 if existed else 201)


class QuarterlyActionView(APIView):
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    @extend_schema(
        parameters=[QUARTER],
        request=form_request(QuarterlyActionStatusForm, "QuarterlyActionStatusRequest"),
        responses={200: QuarterlyActionSerializer, **WRITE_ERRORS},
        tags=TAGS,
        operation_id="kpis_reviews_actions_move",
    )
    def post(self, request, quarter, pk):
        """Mark an action of the quarter's review done, or open again (its owner or the
        release manager)."""
        _reader(request)
        period = _quarter_or_404(quarter)
        data, files = form_input(QuarterlyActionStatusForm, request)
        form = QuarterlyActionStatusForm(data=data, files=files)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        action = services.set_quarterly_action_status(
            period, pk, by=request.user, **form.cleaned_data
        )
        return Response(QuarterlyActionSerializer(action).data)
