"""The library's housekeeping (RM.2.4, RM.6.7): retention of the documentation of the
last versions of an application, the archive of the older ones with the two media Infra
copies it to, the purge that follows, and the integrity checks of the stored files."""

import hashlib
import logging

from botocore.exceptions import ClientError
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from raci import permissions
from raci.permissions import Parties
from raci.selectors import with_deputies
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.files import open_stream
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import render_mail
from releases.models import Release

from .models import Archive, ArchiveMedium, Component, Document, IntegrityFinding

log = logging.getLogger(__name__)
CHUNK = 1024 * 1024


def party_members(name: str) -> list:
    """Active users of a party's group: whoever does that party's work, on any release."""
    return list(
        get_user_model().objects.filter(groups__party__name=name, is_active=True).distinct()
    )


def _mail(release, code: str, *, mail: str, context: dict, to_party: str, by, link: str):
    subject, body = render_mail(mail, {"release": release, "by": by, **context})
    return outbox.post(
        release=release,
        activity=code,
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{release.identifier}] {subject}",
        body=body,
        link=link,
        by=by,
        to_users=with_deputies(party_members(to_party)),
    )


def library_link(release) -> str:
    return reverse("dsl:library", args=[release.application.code])


# --- retention and archive (RM.2.4) -------------------------------------------------------


def apply_retention(application, *, by) -> list[Archive]:
    """RM.2.4: only the documentation of the most recent ``dsl_retention`` versions stays
    in the DSL; each older version with documents goes to the business thread's archive
    and Infra is asked to copy it to two media. Called when a version gains documents."""
    with_documents = (
        Release.objects.filter(application=application, documents__isnull=False)
        .distinct()
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
    )
    older = list(with_documents[application.dsl_retention :])
    done = set(Archive.objects.filter(release_id__in=older).values_list("release_id", flat=True))
    archives = []
    for release in Release.objects.filter(id__in=[r for r in older if r not in done]).order_by(
        "id"
    ):
        archive = Archive.objects.create(release=release)
        audit.record(
            actor=by,
            action="documentation_archived",
            obj=archive,
            release=release,
            after={"retention": application.dsl_retention},
        )
        _mail(
            release,
            "RM.2.4",
            mail="rm_2_4_archive_copy",
            context={"documents": list(release.documents.all()), "application": application},
            to_party=Parties.INFRASTRUCTURE_MANAGER,
            by=by,
            link=library_link(release),
        )
        archives.append(archive)
    return archives


@transaction.atomic
def record_medium(
    application, identifier: str, *, by, number: int, location: str, sent_to: str = ""
) -> ArchiveMedium:
    """RM.2.4: Infra says where one of the two copies of an archive is kept. Once both
    are recorded the archived files leave storage; their metadata stay."""
    if not permissions.may_record_archive_media(by):
        raise PermissionDenied("Only the infrastructure manager records the archive's media.")
    archive = (
        Archive.objects.select_for_update()
        .filter(release__application=application, release__identifier=identifier)
        .first()
    )
    if archive is None:
        raise Conflict(f"The documentation of {identifier} is not archived.", missing=["archive"])
    if number not in (1, 2):
        raise ValidationError({"number": "A medium is number 1 or 2."})
    if location == ArchiveMedium.Location.SENT and not sent_to.strip():
        raise ValidationError({"sent_to": "Say to whom the medium was sent."})
    if location == ArchiveMedium.Location.ON_SITE:
        sent_to = ""
    if archive.media.filter(number=number).exists():
        raise ValidationError({"number": f"Medium {number} is already recorded."})
    medium = ArchiveMedium.objects.create(
        archive=archive, number=number, location=location, sent_to=sent_to.strip(), recorded_by=by
    )
    audit.record(
        actor=by,
        action="archive_medium_recorded",
        obj=medium,
        release=archive.release,
        after={"number": number, "location": location, "sent_to": medium.sent_to},
    )
    if archive.media.count() >= Archive.MEDIA_NEEDED:
        purge(archive, by=by)
    return medium


def purge(archive, *, by) -> None:
    """The archive is on two media: its files leave storage (after commit, so that a
    rolled back purge never loses a file), their names, sizes and SHA-256 stay."""
    now = timezone.now()
    documents = list(Document.objects.filter(release=archive.release, purged_at__isnull=True))
    Document.objects.filter(pk__in=[d.pk for d in documents]).update(purged_at=now)
    archive.purged_at = now
    archive.save(update_fields=["purged_at"])
    audit.record(
        actor=by,
        action="archive_purged",
        obj=archive,
        release=archive.release,
        after={"files": len(documents)},
    )
    names = [d.file.name for d in documents if d.file]
    storage = Document._meta.get_field("file").storage

    def delete():
        for name in names:
            storage.delete(name)

    transaction.on_commit(delete)


# --- integrity (RM.6.7) -------------------------------------------------------------------


def _digest(field) -> str | None:
    """The SHA-256 of a stored file read in chunks through the storage, or None when the
    storage no longer has it."""
    try:
        handle = open_stream(field)
    except (FileNotFoundError, OSError, ClientError):
        return None
    digest = hashlib.sha256()
    with handle:
        for chunk in iter(lambda: handle.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _verify(records, *, by=None) -> list[IntegrityFinding]:
    findings = []
    now = timezone.now()
    for record in records:
        found = _digest(record.file)
        type(record).objects.filter(pk=record.pk).update(verified_at=now)
        if found == record.sha256:
            continue
        finding = IntegrityFinding.objects.create(
            release_id=record.release_id,
            file_kind=record._meta.model_name,
            file_id=record.pk,
            name=record.filename[:255],
            problem=(
                IntegrityFinding.Problem.MISSING
                if found is None
                else IntegrityFinding.Problem.MISMATCH
            ),
            expected_sha256=record.sha256,
            found_sha256=found or "",
        )
        findings.append(finding)
    by_release = {}
    for finding in findings:
        by_release.setdefault(finding.release_id, []).append(finding)
    for release in Release.objects.filter(id__in=by_release).select_related("application"):
        _mail(
            release,
            "RM.6.7",
            mail="dsl_integrity_finding",
            context={"findings": by_release[release.id]},
            to_party=Parties.CONFIGURATION_MANAGER,
            by=by,
            link=library_link(release),
        )
    return findings


def _stored(model):
    return model.objects.exclude(file="").select_related("release")


@transaction.atomic
def verify_library(limit: int) -> list[IntegrityFinding]:
    """One run of the periodic check: at most ``limit`` stored files, those verified
    longest ago (never verified first), so that a big library is covered over runs."""
    components = list(
        _stored(Component).order_by(F("verified_at").asc(nulls_first=True), "id")[:limit]
    )
    documents = list(
        _stored(Document)
        .filter(purged_at__isnull=True)
        .order_by(F("verified_at").asc(nulls_first=True), "id")[:limit]
    )
    oldest = timezone.make_aware(timezone.datetime.min.replace(year=1900))
    chosen = sorted(components + documents, key=lambda r: (r.verified_at or oldest, r.id))
    return _verify(chosen[:limit])


@transaction.atomic
def verify_version(release, *, by) -> list[IntegrityFinding]:
    """The manual "verify now" of one version's stored files."""
    if not permissions.may_verify_library(by):
        raise PermissionDenied(
            "Only the configuration manager and the release manager verify the DSL."
        )
    records = list(_stored(Component).filter(release=release)) + list(
        _stored(Document).filter(release=release, purged_at__isnull=True)
    )
    findings = _verify(records, by=by)
    audit.record(
        actor=by,
        action="dsl_verified",
        obj=release,
        release=release,
        after={"files": len(records), "findings": len(findings)},
    )
    return findings
