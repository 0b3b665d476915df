"""Mass notifications and subscriber lists through the API, with the rules of the pages."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from dsl.models import Application
from releasemgmt.errors import error_responses
from releases.selectors import visible_release_or_404

from . import mass
from .models import MassNotification


class ImportRequest(serializers.Serializer):
    file = serializers.FileField(help_text="CSV with the columns email,name")


class ImportReport(serializers.Serializer):
    added = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class MassFailure(serializers.Serializer):
    email = serializers.EmailField()
    error = serializers.CharField(help_text="Why the SMTP server refused it")


class MassNotificationSerializer(serializers.ModelSerializer):
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


class SubscriberImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequest},
        responses={200: ImportReport, **error_responses(400, 401, 403, 404, 415)},
        tags=["notifications"],
    )
    def post(self, request, code):
        """Import subscribers of an application from CSV: good rows kept, bad ones listed."""
        from .views import _read_csv

        application = get_object_or_404(Application, code=code)
        mass.require_service_desk(request.user)
        body = ImportRequest(data=request.data)
        body.is_valid(raise_exception=True)
        added, errors = mass.import_subscribers(
            application, by=request.user, text=_read_csv(body.validated_data["file"])
        )
        return Response({"added": added, "errors": errors})


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
        mass.require_service_desk(request.user)
        body = MassNotificationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        notification = mass.send_mass_notification(
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
