"""The decisions the business threads owe, kept (``OwedDecision``, issue 17).

Which decision a thread owes on a release is worked out from the release's stage, its
test reports, installation plans, failed installation reports, the decisions taken and
three activities (``selectors._owed_kind``). Worked out at each read, the thread's
approvals, its start page and the navigation's count read every release in a stage that
may owe one: 2,400 releases and 15 ms at 10,000, ten times that at 100,000. Kept, a list
reads the thread's rows in order of installation and stops at its page.

Each event that can change what is owed asks for its release's rows again
(``deployments.receivers``), once at the end of a unit of work (``releasemgmt.units``)
and in its transaction: a failed write leaves the rows as they were. The rows are worked
out for the threads the release affects (RM.1.2), which are settled once acceptance
starts, before any decision is owed; who holds them is not kept, so that moving a
holder changes nothing here. ``recount`` rebuilds every row: the nightly job, after a
bulk load (the bench's dataset), and on the migration that brings the rows.

The lists read the rows as they are, each with the submission of what it rests on (its
due date counts from it); what an event missed is repaired by the nightly recount
(``deployments.tasks.recount_owed_decisions_task``), and the tests walk a release
through every decision comparing the rows with a recount at each step."""

from collections import defaultdict
from typing import NamedTuple

from django.db import transaction

from raci.models import Assignment, Party
from releasemgmt import units
from releases.models import Release

from .models import OwedDecision
from .selectors import OWING_STAGES, owed_kind_of

#: releases worked out per batch by ``recount``
BATCH = 2_000


def refresh_owed(release_ids) -> int:
    """Work out again what the threads owe on these releases; at the end of the unit of
    work running, with the releases its other events named. How many rows it wrote
    (0 when put off)."""
    ids = sorted(set(release_ids))
    if not ids or units.at_end(_refresh, ids):
        return 0
    return _refresh(ids)


def _refresh(release_ids) -> int:
    ids = sorted(release_ids)
    OwedDecision.objects.filter(release_id__in=ids).delete()
    return _write(ids)


def _write(ids) -> int:
    """The rows of these releases (none of theirs kept yet), for the threads each
    affects."""
    releases = list(
        Release.objects.filter(pk__in=ids, stage__in=OWING_STAGES).values_list(
            "pk", "stage", "planned_installation_date", named=True
        )
    )
    if not releases:
        return 0
    affected = defaultdict(list)
    held = Assignment.objects.filter(
        release_id__in=[r.pk for r in releases], party__kind=Party.Kind.BUSINESS_THREAD
    )
    for release_id, party_id in held.values_list("release_id", "party_id").distinct():
        affected[release_id].append(_Thread(party_id))
    rows = [
        OwedDecision(
            release_id=release.pk,
            business_thread_id=thread.id,
            kind=kind,
            basis_at=getattr(basis, "uploaded_at", None),
            planned_installation_date=release.planned_installation_date,
        )
        for release, thread, kind, basis in owed_kind_of(releases, affected)
    ]
    # the later of two refreshes racing on one release writes last (services lock the
    # release first; this is for an event that does not)
    OwedDecision.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["release", "business_thread"],
        update_fields=["kind", "basis_at", "planned_installation_date"],
    )
    return len(rows)


class _Thread(NamedTuple):
    id: int


@transaction.atomic
def recount() -> int:
    """Every row worked out again from the records (the nightly job, after a bulk load):
    how many decisions are owed."""
    OwedDecision.objects.all().delete()
    ids = list(
        Release.objects.filter(stage__in=OWING_STAGES).order_by("pk").values_list("pk", flat=True)
    )
    return sum(_write(ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


def empty_but_owing() -> bool:
    """No row kept while releases are in a stage that may owe a decision: a database
    from before the rows were kept."""
    in_owing_stage = Release.objects.filter(stage__in=OWING_STAGES)
    return not OwedDecision.objects.exists() and in_owing_stage.exists()
