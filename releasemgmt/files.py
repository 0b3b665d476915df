"""Uploaded files: size-limited and checksummed (SHA-256) in one pass over the data.

The upload handlers below hash each chunk as the request body streams in, on its way to
memory (small files) or to a temporary file on disk (large ones), and stop keeping data
past the largest size any upload point accepts; the storage then moves the temporary file
into place. A 1 GiB DSL artifact is thus read once, never held in memory."""

import hashlib
import os
from functools import cache

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.db import models

from .links import links


def upload_ceiling() -> int:
    """The most any upload point accepts: beyond it, handlers stop keeping data."""
    return max(
        settings.MAX_UPLOAD_SIZE, settings.MAX_ARTIFACT_SIZE, settings.MAX_SUBSCRIBER_CSV_SIZE
    )


@cache
def downloadable() -> dict:
    """model_name -> model, for every model that keeps a file of a release (declares
    ``file_field`` and a ``release_path``; an RfC's attachments are change management's)."""
    return {
        m._meta.model_name: m
        for m in apps.get_models()
        if hasattr(m, "file_field") and getattr(m, "release_path", None)
    }


class _Checksumming:
    """Hashes the chunks this handler keeps."""

    def new_file(self, *args, **kwargs):
        self.digest = hashlib.sha256()
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        passed = super().receive_data_chunk(raw_data, start)
        if passed is None:  # this handler kept the chunk
            self.digest.update(raw_data)
        return passed

    def file_complete(self, file_size):
        uploaded = super().file_complete(file_size)
        if uploaded is not None:
            uploaded.sha256 = self.digest.hexdigest()
        return uploaded


class ChecksummingMemoryUploadHandler(_Checksumming, MemoryFileUploadHandler):
    """Small uploads, kept in memory (FILE_UPLOAD_MAX_MEMORY_SIZE), hashed on arrival."""


class ChecksummingTemporaryUploadHandler(_Checksumming, TemporaryFileUploadHandler):
    """Large uploads, streamed to FILE_UPLOAD_TEMP_DIR, hashed on arrival. Past the
    ceiling, chunks are counted but not written: the file reports its full size, so
    validate_upload refuses it, and the disk holds no more than the ceiling."""

    def new_file(self, *args, **kwargs):
        if settings.FILE_UPLOAD_TEMP_DIR:
            os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().new_file(*args, **kwargs)

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > upload_ceiling():
            return None  # the parser still counts it into the size given to file_complete
        return super().receive_data_chunk(raw_data, start)


def sha256_of(uploaded) -> tuple[str, int]:
    """(hex digest, size) of an uploaded file: the digest the upload handler computed on
    arrival, or else one read chunk by chunk (memory stays flat)."""
    if getattr(uploaded, "sha256", None):
        return uploaded.sha256, uploaded.size
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded.chunks():
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return digest.hexdigest(), size


def validate_upload(uploaded, *, field: str = "file", limit: int | None = None) -> None:
    """Refuse empty files, files over ``limit`` (MAX_UPLOAD_SIZE unless given) and
    extensions not allowed."""
    limit = settings.MAX_UPLOAD_SIZE if limit is None else limit
    if uploaded.size == 0:
        raise ValidationError({field: "The file is empty."})
    if uploaded.size > limit:
        raise ValidationError({field: f"The file is larger than {_mib(limit)}."})
    name = uploaded.name.lower()
    if not name.endswith(tuple(settings.ALLOWED_UPLOAD_EXTENSIONS)):
        allowed = ", ".join(settings.ALLOWED_UPLOAD_EXTENSIONS)
        raise ValidationError({field: f"Only these file types are accepted: {allowed}."})


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):g} MiB"


class StoredFile(models.Model):
    """A document kept as evidence: the file, its SHA-256 and who uploaded it when."""

    # The setting that caps this kind of file: documents are small, DSL artifacts are not.
    size_limit_setting = "MAX_UPLOAD_SIZE"
    # How releasemgmt.downloads finds the file, its checksum and its release.
    file_field, sha256_field, release_path = "file", "sha256", "release"

    file = models.FileField(upload_to="documents/%Y/%m/")
    sha256 = models.CharField(max_length=64, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    @classmethod
    def store(cls, uploaded, **fields):
        """Create the record with ``uploaded`` checked, checksummed and saved."""
        record = cls(**fields)
        record.attach(uploaded)
        record.save()
        return record

    def attach(self, uploaded, *, field: str = "file") -> None:
        """Check and checksum ``uploaded`` and set it as this record's file."""
        validate_upload(uploaded, field=field, limit=getattr(settings, self.size_limit_setting))
        self.sha256, self.size = sha256_of(uploaded)
        self.file = uploaded

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]

    @property
    def download_url(self) -> str:
        return download_url(self)


def open_stream(field):
    """A stored file opened for one pass of reading. From an object store (S3, MinIO),
    the object's body as the store sends it, read chunk by chunk (django-storages' own
    file would first copy the whole object to a temporary file); from any other storage,
    the storage's own file."""
    storage = field.storage
    bucket = getattr(storage, "bucket", None)
    if bucket is None:
        return storage.open(field.name, "rb")
    key = "/".join(p for p in (getattr(storage, "location", ""), field.name) if p)
    return bucket.Object(key).get()["Body"]


def download_url(record) -> str:
    """Where a user who may see the record's release downloads its file."""
    return download_path(record._meta.model_name, record.pk)


def download_path(kind: str, pk: int) -> str:
    """The download of file ``pk`` of ``kind`` (a model's name): the path made once per
    kind (a DSL page links a hundred files)."""
    return links("download", fixed=(kind,))(pk)
