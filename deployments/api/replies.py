"""The deployment coordinator's queue of replies through the API (issue 16)."""

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from raci import permissions as raci
from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedSerializer

from ..models import InboundMail
from ..selectors import replies_waiting


class ReplyQuerySerializer(GuardedSerializer):
    status = serializers.ChoiceField(
        choices=InboundMail.Status.choices,
        required=False,
        help_text="Only the mails of this status (default: those waiting, queued or suspicious).",
    )


class InboundMailSerializer(serializers.ModelSerializer):
    release = serializers.CharField(source="request.release.identifier", default=None)
    kind = serializers.CharField(source="request.kind", default=None)
    sender_user = serializers.CharField(source="sender_user.username", default=None)
    decision = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = InboundMail
        fields = [
            "id",
            "received_at",
            "message_id",
            "sha256",
            "size",
            "sender",
            "sender_user",
            "subject",
            "release",
            "kind",
            "status",
            "reason",
            "decision",
            "dismiss_reason",
            "handled_at",
        ]


class RepliesView(APIView):
    @extend_schema(
        summary="Replies to handle",
        parameters=[ReplyQuerySerializer],
        responses={200: InboundMailSerializer(many=True), **error_responses(400, 401, 403)},
        tags=["decisions"],
        operation_id="replies",
    )
    def get(self, request, format=None):
        """The replies to decision mails the tool could not record, newest first (or
        those of ``status``); the raw mail of each at ``/replies/<id>/raw/``. The
        deployment coordinator's and the release manager's."""
        if not raci.may_handle_replies(request.user):
            raise PermissionDenied("The queue of replies is the deployment coordinator's.")
        query = ReplyQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = replies_waiting(query.validated_data.get("status"))
        return Response(InboundMailSerializer(rows, many=True).data)
