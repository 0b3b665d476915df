"""What a release's type does to its path (issue 12 point 5), as reads and gates: the
activities it waived, those it owes since its installation, the post-release review it
owes, when its users are to be told (the type's notification lead time). The writes
are in ``releases.waivers``; the rules per type are the process's
(``raci.release_types``, ``raci.models.WaivableActivity``)."""

import datetime

from django.utils import timezone

from raci.release_types import rule
from raci.selectors import waivable_codes

from .lifecycle import register_gate
from .models import ActivityRecord, Milestone
from .stages import ActivityStatus, Stage

#: the activity whose completion means the release is installed
INSTALLED = "RM.6.3"


def installed(release, records=None) -> bool:
    """RM.6.3 done: from then on a waived activity is owed. ``records``: the release's
    activity records with their activities, when read already (no query then)."""
    if records is not None:
        done = ActivityStatus.DONE
        return any(r.activity.code == INSTALLED and r.status == done for r in records)
    return ActivityRecord.objects.filter(
        release=release, activity__code=INSTALLED, status=ActivityStatus.DONE
    ).exists()


def waived(release, records=None) -> list[ActivityRecord]:
    """The release's activities waived and not yet caught up, in the order of Table 4-1
    (of ``records``, read already in that order with their activities and performers)."""
    if records is not None:
        return [r for r in records if r.status == ActivityStatus.WAIVED]
    return list(
        ActivityRecord.objects.filter(release=release, status=ActivityStatus.WAIVED)
        .select_related("activity", "performed_by", "deputy_of")
        .order_by("activity__position")
    )


def may_waive(release, code: str) -> bool:
    """Whether the release's type may waive activity ``code`` (the process owner's data)."""
    return code in waivable_codes(release.release_type)


def notify_users_by(release, plan=None) -> datetime.datetime:
    """The type's notification lead time before the planned installation (RM.6.1): the
    installation milestone's start, or the planned day's first hour. ``plan``: the
    release's milestones, when read already (no query then)."""
    if plan is not None:
        kind = Milestone.Kind.INSTALLATION
        milestone = next((m.starts_at for m in plan if m.kind == kind), None)
    else:
        milestone = (
            Milestone.objects.filter(release=release, kind=Milestone.Kind.INSTALLATION)
            .values_list("starts_at", flat=True)
            .first()
        )
    start = milestone or timezone.make_aware(
        datetime.datetime.combine(release.planned_installation_date, datetime.time())
    )
    return start - datetime.timedelta(hours=rule(release.release_type).notification_lead_hours)


def closure_missing(release, name: str) -> list[str]:
    """The gate of the closure: a waived activity is owed once the release is installed
    and must be caught up (a rolled-back release closing as failed owes none). The
    post-release review does not hold the closure: it is owed after go-live, once
    hypercare can report its incidents (docs/decisions/0007)."""
    if name not in ("close", "close_failed"):
        return []
    missing = []
    if name == "close" and release.stage != Stage.ROLLED_BACK:
        missing += [f"{r.activity} was waived: catch it up" for r in waived(release)]
    return missing


register_gate(closure_missing)
