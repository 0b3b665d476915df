"""Uploaded files: size-limited and checksummed (SHA-256) in one pass over the data."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models


def sha256_of(uploaded) -> tuple[str, int]:
    """(hex digest, size) of an uploaded file, read chunk by chunk (memory stays flat)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in uploaded.chunks():
        digest.update(chunk)
        size += len(chunk)
    uploaded.seek(0)
    return digest.hexdigest(), size


def validate_upload(uploaded, *, field: str = "file") -> None:
    """Refuse empty files, files over MAX_UPLOAD_SIZE and extensions not allowed."""
    if uploaded.size == 0:
        raise ValidationError({field: "The file is empty."})
    if uploaded.size > settings.MAX_UPLOAD_SIZE:
        limit = settings.MAX_UPLOAD_SIZE // (1024 * 1024)
        raise ValidationError({field: f"The file is larger than {limit} MiB."})
    name = uploaded.name.lower()
    if not name.endswith(tuple(settings.ALLOWED_UPLOAD_EXTENSIONS)):
        allowed = ", ".join(settings.ALLOWED_UPLOAD_EXTENSIONS)
        raise ValidationError({field: f"Only these file types are accepted: {allowed}."})


class StoredFile(models.Model):
    """A document kept as evidence: the file, its SHA-256 and who uploaded it when."""

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
        validate_upload(uploaded, field=field)
        self.sha256, self.size = sha256_of(uploaded)
        self.file = uploaded

    @property
    def filename(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]
