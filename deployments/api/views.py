"""The business threads' decisions and the service desk's mass notifications through the
API, with the rules and errors of the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dsl.subscribers import require_service_desk
from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedModelSerializer
from releasemgmt.apiforms import form_input, form_request
from releases.api.activities import ReleaseAPIView
from releases.selectors import visible_release_or_404

from ..forms import DecisionForm
from ..models import Decision, MassNotification
from ..services import decisions, mass_notifications


class DecisionSerializer(serializers.ModelSerializer):
    business_thread = serializers.CharField(source="business_thread.slug")
    recorded_by = serializers.CharField(source="recorded_by.username")
    superseded = serializers.SerializerMethodField()

    class Meta:
        model = Decision
        fields = [
            "id",
            "kind",
            "business_thread",
            "verdict",
            "consequence",
            "decided_by_name",
            "decided_at",
            "evidence_note",
            "evidence_sha256",
            "test_report",
            "installation_plan",
            "installation_report",
            "supersedes",
            "superseded",
            "recorded_by",
            "recorded_at",
        ]

    def get_superseded(self, obj) -> bool:
        return hasattr(obj, "superseded_by")


DECISION_KIND = serializers.ChoiceField(
    choices=Decision.Kind.choices, help_text="Which decision of the process this is."
)
DecisionRequest = form_request(DecisionForm, "RecordDecisionRequest", kind=DECISION_KIND)


class DecisionsView(ReleaseAPIView):
    """The business threads' decisions on a release; record one."""

    @extend_schema(
        responses={200: DecisionSerializer(many=True), **error_responses(401, 404)},
        tags=["decisions"],
    )
    def get(self, request, identifier):
        release = self.release(identifier)
        decisions = release.decisions.select_related(
            "business_thread", "recorded_by", "superseded_by"
        )
        return Response(DecisionSerializer(decisions, many=True).data)

    @extend_schema(
        request=DecisionRequest,
        responses={201: DecisionSerializer, **error_responses(400, 401, 403, 404, 409, 415)},
        tags=["decisions"],
    )
    def post(self, request, identifier):
        """Record a business thread's decision (GO/NOGO, approval, authorisation...)."""
        release = self.release(identifier)
        kind = form_input(DecisionForm, request, kind=DECISION_KIND)[0].get("kind")
        if kind not in Decision.Kind.values:
            raise ValidationError({"kind": [f"Choose one of {', '.join(Decision.Kind.values)}."]})
        decision = self.run(
            release,
            DecisionForm,
            lambda data: decisions.record_decision(release, by=request.user, kind=kind, **data),
        )
        return Response(DecisionSerializer(decision).data, status=201)


class MassFailure(serializers.Serializer):
    email = serializers.EmailField()
    error = serializers.CharField(help_text="Why the SMTP server refused it")


class MassNotificationSerializer(GuardedModelSerializer):
    release = serializers.CharField(source="release.identifier", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    failures = MassFailure(
        many=True,
        read_only=True,
        help_text=f"The first {MassNotification.FAILURES_SHOWN} failed recipients, by address",
    )

    class Meta:
        model = MassNotification
        fields = [
            "id",
            "release",
            "moment",
            "subject",
            "body",
            "status",
            "total",
            "sent",
            "failed",
            "uncertain",
            "percent",
            "failures",
            "created_at",
        ]
        read_only_fields = ["status", "total", "sent", "failed", "uncertain", "created_at"]


class MassNotificationsView(APIView):
    parser_classes = [JSONParser, FormParser]

    @extend_schema(
        request=MassNotificationSerializer,
        responses={
            201: MassNotificationSerializer,
            **error_responses(400, 401, 403, 404, 409, 415),
        },
        tags=["notifications"],
    )
    def post(self, request, identifier):
        """The service desk sends a release's mass notification (RM.6.1 or RM.6.6)."""
        release = visible_release_or_404(request.user, identifier)
        require_service_desk(request.user)
        body = MassNotificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        notification = mass_notifications.send_mass_notification(
            release,
            by=request.user,
            moment=data["moment"],
            subject=data["subject"],
            body=data["body"],
        )
        return Response(MassNotificationSerializer(notification).data, status=201)


class MassNotificationView(APIView):
    @extend_schema(
        responses={200: MassNotificationSerializer, **error_responses(401, 404)},
        tags=["notifications"],
    )
    def get(self, request, pk):
        """A mass notification's progress."""
        notification = get_object_or_404(MassNotification, pk=pk)
        visible_release_or_404(request.user, notification.release.identifier)
        return Response(MassNotificationSerializer(notification).data)
