"""The DSL's API: an application's versions with their files, the archive's media, and
the manual integrity check."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.api.serializers import GuardedSerializer
from releases.models import Application

from ..library import record_medium, verify_version
from ..models import ArchiveMedium
from ..selectors import VERSIONS_PER_PAGE, library_versions, version_or_404, version_state


class StoredFileOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="filename")
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    stored_by = serializers.CharField(source="uploaded_by.username")
    stored_at = serializers.DateTimeField(source="uploaded_at")
    verified_at = serializers.DateTimeField(allow_null=True)
    download = serializers.CharField(source="download_url")


class ComponentOut(StoredFileOut):
    component = serializers.CharField(source="name")
    version = serializers.CharField()


class DocumentOut(StoredFileOut):
    title = serializers.CharField()
    kind = serializers.CharField()
    purged_at = serializers.DateTimeField(allow_null=True)


class MediumOut(serializers.Serializer):
    number = serializers.IntegerField()
    location = serializers.CharField()
    sent_to = serializers.CharField()
    recorded_by = serializers.CharField(source="recorded_by.username")
    recorded_at = serializers.DateTimeField()


class FindingOut(serializers.Serializer):
    file_kind = serializers.CharField()
    file_id = serializers.IntegerField()
    name = serializers.CharField()
    problem = serializers.CharField()
    expected_sha256 = serializers.CharField()
    found_sha256 = serializers.CharField()
    found_at = serializers.DateTimeField()


class VersionOut(serializers.Serializer):
    identifier = serializers.CharField()
    version = serializers.CharField()
    stage = serializers.CharField()
    state = serializers.SerializerMethodField(help_text="live, archived or purged")
    archived_at = serializers.SerializerMethodField()
    purged_at = serializers.SerializerMethodField()
    components = ComponentOut(many=True, source="components.all")
    documents = DocumentOut(many=True, source="documents.all")
    media = serializers.SerializerMethodField()
    findings = FindingOut(many=True, source="integrity_findings.all")

    def _archive(self, release):
        return getattr(release, "dsl_archive", None)

    def get_state(self, release) -> str:
        return version_state(release)

    def get_archived_at(self, release) -> str | None:
        archive = self._archive(release)
        return archive.archived_at.isoformat() if archive else None

    def get_purged_at(self, release) -> str | None:
        archive = self._archive(release)
        return archive.purged_at.isoformat() if archive and archive.purged_at else None

    def get_media(self, release) -> list[dict]:
        archive = self._archive(release)
        return MediumOut(archive.media.all(), many=True).data if archive else []


class VersionPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    retention = serializers.IntegerField(help_text="Versions whose documentation stays")
    results = VersionOut(many=True)


class Pages(PageNumberPagination):
    page_size = VERSIONS_PER_PAGE


class LibraryView(APIView):
    @extend_schema(responses={200: VersionPage, **error_responses(401, 404)}, tags=["dsl"])
    def get(self, request, code):
        """RM.2.3, RM.2.4: the application's versions the caller may see, newest first,
        with their components, documents, archive state, media and integrity findings."""
        application = get_object_or_404(Application, code=code)
        pages = Pages()
        versions = pages.paginate_queryset(
            library_versions(request.user, application), request, view=self
        )
        return Response(
            {
                "count": pages.page.paginator.count,
                "next": pages.get_next_link(),
                "previous": pages.get_previous_link(),
                "retention": application.dsl_retention,
                "results": VersionOut(versions, many=True).data,
            }
        )


class VerifyOut(serializers.Serializer):
    findings = FindingOut(many=True)


class VerifyView(APIView):
    @extend_schema(
        request=None,
        responses={200: VerifyOut, **error_responses(401, 403, 404)},
        tags=["dsl"],
    )
    def post(self, request, code, identifier):
        """Verify now: re-read the version's stored files and compare their SHA-256."""
        application = get_object_or_404(Application, code=code)
        release = version_or_404(request.user, application, identifier)
        findings = verify_version(release, by=request.user)
        return Response({"findings": FindingOut(findings, many=True).data})


class MediumIn(GuardedSerializer):
    number = serializers.ChoiceField(choices=[1, 2])
    location = serializers.ChoiceField(choices=ArchiveMedium.Location.choices)
    sent_to = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MediaView(APIView):
    @extend_schema(responses={200: MediumOut(many=True), **error_responses(401, 404)}, tags=["dsl"])
    def get(self, request, code, identifier):
        """RM.2.4: the media the version's archive was copied to."""
        application = get_object_or_404(Application, code=code)
        release = version_or_404(request.user, application, identifier)
        archive = getattr(release, "dsl_archive", None)
        media = archive.media.select_related("recorded_by") if archive else []
        return Response(MediumOut(media, many=True).data)

    @extend_schema(
        request=MediumIn,
        responses={201: MediumOut, **error_responses(400, 401, 403, 404, 409)},
        tags=["dsl"],
    )
    def post(self, request, code, identifier):
        """RM.2.4: record where one of the two media is kept; with both recorded the
        archived files leave storage, their metadata stay."""
        application = get_object_or_404(Application, code=code)
        version_or_404(request.user, application, identifier)
        body = MediumIn(data=request.data)
        body.is_valid(raise_exception=True)
        medium = record_medium(application, identifier, by=request.user, **body.validated_data)
        return Response(MediumOut(medium).data, status=201)
