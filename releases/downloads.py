"""Downloads of the files kept as evidence (DSL components and documents, reports, plans,
decision evidence), for users who may see their release and nobody else. Streamed from
storage in chunks, with the SHA-256 recorded at upload so the reader can check it."""

import base64
from functools import cache

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import CharField, F, Value
from django.http import FileResponse, Http404
from django.shortcuts import render
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from releasemgmt.api.errors import error_responses
from releasemgmt.files import download_path, downloadable, open_stream

from .selectors import visible_release_or_404


def stored_file_or_404(user, kind: str, pk: int):
    """The record, if its file exists and the user may see its release; else 404 (an
    outsider cannot tell a hidden file from a missing one)."""
    model = downloadable().get(kind)
    if model is None:
        raise Http404("No such kind of file.")
    record = model.objects.select_related(model.release_path).filter(pk=pk).first()
    if record is None or not getattr(record, model.file_field):
        raise Http404("No such file.")
    release = record
    for step in model.release_path.split("__"):
        release = getattr(release, step)
    try:
        visible_release_or_404(user, release.identifier)
    except Http404:
        raise Http404("No such file.") from None  # the same words as for a missing file
    return record


def file_response(record) -> FileResponse:
    field = getattr(record, record.file_field)
    response = FileResponse(
        open_stream(field), as_attachment=True, filename=field.name.rsplit("/", 1)[-1]
    )
    digest = getattr(record, record.sha256_field)
    if digest:
        # RFC 9530: the SHA-256 of the file, as recorded when it was uploaded.
        response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
        response["ETag"] = f'"{digest}"'
    response["Cache-Control"] = "private, no-cache"
    return response


def gone(record):
    """Where a file purged from storage is now (a model that can purge its files says so
    with ``gone()``), or None while it is stored."""
    where = getattr(record, "gone", None)
    return where() if where else None


@login_required
def download(request, kind, pk):
    """`/files/<kind>/<pk>/`: a file of a release the user may see; 410 with the media it
    was archived to once purged (RM.2.4)."""
    record = stored_file_or_404(request.user, kind, pk)
    where = gone(record)
    if where is not None:
        return render(request, "files/gone.html", {"record": record, **where}, status=410)
    return file_response(record)


#: the release id the statement of ``release_files`` is built with: the release's own id
#: takes its place at each read
_SLOT = -1


@cache
def _files_statement() -> tuple[str, tuple]:
    """The SQL of ``release_files`` (a UNION ALL over the models that keep a file), built
    once per process with ``_SLOT`` for the release's id: the ORM took 3.3 ms of the
    query's 5.3 to build and compile its nine parts, on every release's record and files
    (issue 17). Empty when no model keeps a file."""
    parts = [
        model.objects.filter(**{f"{model.release_path}_id": _SLOT})
        .exclude(**{model.file_field: ""})
        .annotate(
            file_kind=Value(kind, output_field=CharField()),
            stored=F(model.file_field),
            digest=F(model.sha256_field),
        )
        .values_list("file_kind", "pk", "stored", "digest")
        .order_by()
        for kind, model in sorted(downloadable().items())
    ]
    if not parts:
        return "", ()
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return rows.query.sql_with_params()


def release_files(release) -> list:
    """Every file kept for the release, of every kind, in one query."""
    sql, params = _files_statement()
    if not sql:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, [release.pk if p == _SLOT else p for p in params])
        rows = cursor.fetchall()
    labels = {kind: model._meta.verbose_name.capitalize() for kind, model in downloadable().items()}
    return [
        {
            "kind": kind,
            "label": labels[kind],
            "id": pk,
            "name": stored.rsplit("/", 1)[-1],
            "sha256": digest,
            "download": download_path(kind, pk),
        }
        for kind, pk, stored, digest in sorted(rows, key=lambda row: (row[0], row[1]))
    ]


class FileEntry(serializers.Serializer):
    kind = serializers.CharField()
    id = serializers.IntegerField()
    name = serializers.CharField()
    sha256 = serializers.CharField()
    download = serializers.CharField(help_text="Path of the web download (session login)")


class ReleaseFilesView(APIView):
    @extend_schema(
        responses={200: FileEntry(many=True), **error_responses(401, 404)}, tags=["files"]
    )
    def get(self, request, identifier):
        """Every file kept for a release (DSL, reports, plans, evidence) with its SHA-256."""
        release = visible_release_or_404(request.user, identifier)
        return Response(FileEntry(release_files(release), many=True).data)


class Gone(serializers.Serializer):
    detail = serializers.CharField()
    media = serializers.ListField(
        child=serializers.CharField(), help_text="Where each copy of the archive is kept"
    )


class DownloadView(APIView):
    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # a file, always

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file; Repr-Digest carries its SHA-256"
            ),
            **error_responses(401, 404),
            410: OpenApiResponse(Gone, description="Purged from storage after archiving."),
        },
        tags=["files"],
    )
    def get(self, request, kind, pk):
        """A file kept as evidence (kind: component, document, testreport,
        installationplan, installationreport, environmentreport, ctreport, decision);
        410 once purged from storage after archiving, naming the media."""
        record = stored_file_or_404(request.user, kind, pk)
        where = gone(record)
        if where is not None:
            media = [str(m) for m in where["media"]]
            return Response(
                {
                    "detail": "The file was archived to media and purged from storage.",
                    "media": media,
                },
                status=410,
            )
        return file_response(record)
