"""The writes of a release type's path (issue 12 point 5): an activity waived with a
reason, caught up after the installation, and the post-release review note. Who acts is
Table 4-1's: the R or A of the activity waives and catches it up; the release manager
(R and A of RM.6.7, the closure) records the review."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from . import types
from .models import ActivityRecord
from .registry import stage_of
from .services import advance, lock
from .stages import ActivityStatus

#: the longest note or reason kept (as multi-line text anywhere else)
TEXT_MAX = 100_000


def _text(field: str, value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: what})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"At most {TEXT_MAX} characters."})
    return value


def _record(release, code: str) -> ActivityRecord:
    record = (
        ActivityRecord.objects.select_related("activity")
        .filter(release=release, activity__code=code)
        .first()
    )
    if record is None:
        raise ValidationError({"activity": f"{code} is not an activity of section 4.4."})
    return record


@transaction.atomic
def waive_activity(release, code: str, *, by, reason: str):
    """Skip activity ``code`` with a reason, on a release whose type may waive it (the
    process owner's list): by its R or A, while it is pending and its stage not passed.
    It holds its stage back no more, and is owed again once the release is installed."""
    release = lock(release)
    record = _record(release, code)
    raci.require_perform(by, release, code)
    reason = _text("reason", reason, "Say why it is waived.")
    if not release.is_open or not release.stage_number:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    if not types.may_waive(release, code):
        raise Conflict(
            f"{record.activity} may not be waived on a "
            f"{release.get_release_type_display().lower()} release.",
            missing=[str(record.activity)],
        )
    if record.status != ActivityStatus.PENDING:
        raise Conflict(f"{record.activity} is {record.get_status_display().lower()}.")
    if release.stage_number > stage_of(code):
        raise Conflict(f"{release.identifier} is past stage RM.{stage_of(code)}.")
    record.status = ActivityStatus.WAIVED
    record.performed_by, record.performed_at = by, timezone.now()
    record.deputy_of_id = raci.deputising_for(by, release, code)
    record.outcome, record.comment = "", reason
    record.save()
    audit.record(
        actor=by,
        action="activity_waived",
        obj=record,
        release=release,
        after={"activity": code, "status": record.status, "reason": reason},
    )
    advance(release, by=by)
    return record


@transaction.atomic
def catch_up_activity(release, code: str, *, by, note: str):
    """Once the release is installed (RM.6.3), a waived activity is caught up by its R or
    A with a note of what was done; the closure waits for every one of them."""
    release = lock(release)
    record = _record(release, code)
    raci.require_perform(by, release, code)
    note = _text("note", note, "Say what was done to catch it up.")
    if record.status != ActivityStatus.WAIVED:
        raise Conflict(f"{record.activity} was not waived for {release.identifier}.")
    if not release.is_open or not types.installed(release):
        raise Conflict(
            f"{record.activity} is caught up once {release.identifier} is installed (RM.6.3).",
            missing=["RM.6.3 Assess Installation Report"],
        )
    waived_for = record.comment
    record.status = ActivityStatus.DONE
    record.performed_by, record.performed_at = by, timezone.now()
    record.deputy_of_id = raci.deputising_for(by, release, code)
    record.outcome = "caught up"
    record.comment = f"Waived: {waived_for}\nCaught up: {note}"
    record.save()
    audit.record(
        actor=by,
        action="activity_caught_up",
        obj=record,
        release=release,
        before={"status": ActivityStatus.WAIVED},
        after={"activity": code, "status": record.status, "note": note},
    )
    advance(release, by=by)
    return record
