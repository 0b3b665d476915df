from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedSerializer
from releases.models import Application

from ..subscribers import import_subscribers, read_csv_upload, require_service_desk


class ImportRequest(GuardedSerializer):
    file = serializers.FileField(help_text="CSV with the columns email,name")


class ImportReport(serializers.Serializer):
    added = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.CharField())


class SubscriberImportView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ImportRequest},
        responses={200: ImportReport, **error_responses(400, 401, 403, 404, 415)},
        tags=["notifications"],
    )
    def post(self, request, code):
        """Import subscribers of an application from CSV: good rows kept, bad ones listed."""
        application = get_object_or_404(Application, code=code)
        require_service_desk(request.user)
        body = ImportRequest(data=request.data)
        body.is_valid(raise_exception=True)
        added, errors = import_subscribers(
            application, by=request.user, text=read_csv_upload(body.validated_data["file"])
        )
        return Response({"added": added, "errors": errors})
