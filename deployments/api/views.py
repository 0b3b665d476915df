"""The business threads' decisions and the service desk's mass notifications through the
API, with the rules and errors of the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from dsl.subscribers import require_service_desk
from raci.permissions import may_see_subscribers
from releasemgmt.api.errors import error_responses
from releasemgmt.apiforms import form_input, form_request
from releases.api.activities import ReleaseAPIView
from releases.selectors import visible_release_or_404

from .. import selectors
from ..forms import DecisionForm, MassNotificationForm
from ..models import Decision, MassNotification
from ..services import decisions, mass_notifications


class DecisionSerializer(serializers.ModelSerializer):
    business_thread = serializers.CharField(source="business_thread.slug")
    recorded_by = serializers.CharField(source="recorded_by.username")
    deputy_of = serializers.CharField(
        source="deputy_of.username",
        default=None,
        allow_null=True,
        help_text="Whom the recorder stood in for, as a deputy (null otherwise).",
    )
    recorded_by_label = serializers.CharField(
        help_text='Who recorded it, "X, deputy of Y" for a deputy.'
    )
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
            "deputy_of",
            "recorded_by_label",
            "recorded_at",
            "channel",
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
            "business_thread", "recorded_by", "deputy_of", "superseded_by"
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


class MassNotificationSerializer(serializers.ModelSerializer):
    """A mass notification and its progress. The refused addresses are personal data:
    ``failures`` lists them only when the view says the caller may see the subscribers
    (context ``show_addresses``); the counts are for everyone."""

    release = serializers.CharField(source="release.identifier", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    failures = serializers.SerializerMethodField(
        help_text=f"The first {MassNotification.FAILURES_SHOWN} failed recipients, by address, "
        "with the server's reason; empty unless the caller may see the subscribers (the "
        "service desk, the release managers)"
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
        read_only_fields = fields

    @extend_schema_field(MassFailure(many=True))
    def get_failures(self, notification) -> list[dict]:
        return notification.failures if self.context.get("show_addresses") else []


def mass_notification_response(request, notification, status=200) -> Response:
    show = may_see_subscribers(request.user)
    body = MassNotificationSerializer(notification, context={"show_addresses": show}).data
    return Response(body, status=status)


# Named as the request body was before the form parsed it: clients generated from the
# schema keep their type.
MassNotificationRequest = form_request(MassNotificationForm, "MassNotification")


class MassNotificationsView(ReleaseAPIView):
    @extend_schema(
        request=MassNotificationRequest,
        responses={
            201: MassNotificationSerializer,
            **error_responses(400, 401, 403, 404, 409, 415),
        },
        tags=["notifications"],
    )
    def post(self, request, identifier):
        """The service desk sends a release's mass notification (RM.6.1 or RM.6.6): once
        the deployment coordinator asked for it, once per moment of each installation
        round (409 naming what is missing, or saying it is sent already)."""
        release = self.release(identifier)
        require_service_desk(request.user)
        notification = self.run(
            release,
            MassNotificationForm,
            lambda data: mass_notifications.send_mass_notification(
                release, by=request.user, **data
            ),
        )
        return mass_notification_response(request, notification, status=201)


class MassNotificationView(APIView):
    @extend_schema(
        responses={200: MassNotificationSerializer, **error_responses(401, 404)},
        tags=["notifications"],
    )
    def get(self, request, pk):
        """A mass notification's progress."""
        notification = get_object_or_404(MassNotification, pk=pk)
        visible_release_or_404(request.user, notification.release.identifier)
        return mass_notification_response(request, notification)


class ConflictSerializer(serializers.Serializer):
    rule = serializers.ChoiceField(
        choices=["same_application", "blackout", "maintenance", "coordinator", "change"],
        help_text="The rule of deployments.conflicts that found it.",
    )
    key = serializers.CharField(help_text="The `key` of the acknowledge-conflict action.")
    message = serializers.CharField()
    link = serializers.CharField(allow_blank=True, help_text="What it collides with, if a page.")
    acknowledged = serializers.BooleanField()
    acknowledged_by = serializers.CharField(allow_null=True)
    acknowledged_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(allow_null=True, help_text="Why the release goes ahead.")


class ConflictsView(APIView):
    @extend_schema(
        responses={200: ConflictSerializer(many=True), **error_responses(401, 404)},
        tags=["planning"],
    )
    def get(self, request, identifier):
        """RM.1.4: the conflicts of the release's installation window, rule by rule, each
        with its acknowledgement (who, when, why) once the release manager gave it;
        publishing waits until each is acknowledged."""
        release = visible_release_or_404(request.user, identifier)
        records = selectors.conflict_records(release, request.user)
        rows = [
            {
                "rule": finding.rule,
                "key": finding.key,
                "message": finding.message,
                "link": finding.link,
                "acknowledged": ack is not None,
                "acknowledged_by": ack.acknowledged_by.username if ack else None,
                "acknowledged_at": ack.acknowledged_at if ack else None,
                "reason": ack.reason if ack else None,
            }
            for finding, ack in records["conflicts"]
        ]
        return Response(ConflictSerializer(rows, many=True).data)
