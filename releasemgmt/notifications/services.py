"""Addressees come from the RACI table and the release's assignments; the communication is
written in the caller's transaction, so it exists exactly when the activity does."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from raci.models import Assignment, Party, RaciCell

from .models import Communication, Preference, Recipient


def holders(release, parties) -> list:
    """Active users holding any of ``parties`` on the release (named people and team
    members alike)."""
    rows = Assignment.objects.filter(release=release, party__in=parties)
    return list(
        get_user_model()
        .objects.filter(
            Q(id__in=rows.filter(user__isnull=False).values("user_id"))
            | Q(groups__in=rows.filter(group__isnull=False).values("group_id")),
            is_active=True,
        )
        .distinct()
    )


def parties_with(code: str, letter: str):
    """Parties holding ``letter`` for activity ``code`` in Table 4-1."""
    return Party.objects.filter(
        id__in=RaciCell.objects.filter(activity__code=code, letters__contains=letter).values(
            "party_id"
        )
    )


def business_threads(release):
    return Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD, assignments__release=release)


def communicate(
    release,
    code,
    *,
    by,
    subject,
    body,
    to,
    cc=(),
    interface="",
    kind=Communication.Kind.PROCESS,
    link=None,
) -> Communication:
    """Record one communication of activity ``code`` to the holders of the ``to`` and
    ``cc`` parties on the release."""
    comm = Communication.objects.create(
        release=release,
        activity=code,
        kind=Communication.Kind.INTERFACE if interface else kind,
        interface=interface,
        subject=f"[{release.identifier}] {subject}",
        body=body,
        link=link or reverse("releases:detail", args=[release.identifier]),
        created_by=by,
    )
    to_users = holders(release, to)
    cc_users = [u for u in holders(release, cc) if u not in to_users]
    quiet = set()
    if comm.kind == Communication.Kind.INFORMED:
        quiet = set(
            Preference.objects.filter(user__in=to_users, email_informed=False).values_list(
                "user_id", flat=True
            )
        )

    def row(user, role):
        status = Recipient.Status.IN_APP if user.pk in quiet else Recipient.Status.QUEUED
        return Recipient(communication=comm, user=user, role=role, status=status)

    Recipient.objects.bulk_create(
        [row(u, Recipient.Role.TO) for u in to_users]
        + [row(u, Recipient.Role.CC) for u in cc_users]
    )
    from .delivery import enqueue

    transaction.on_commit(lambda: enqueue(comm.pk))
    return comm


def inform(release, activity, *, by, outcome: str = "") -> Communication | None:
    """Tell every party marked I for the activity that it is done (Table 4-1)."""
    informed = parties_with(activity.code, "I")
    if not informed.exists():
        return None
    what = f"{activity.code} {activity.name} is done" + (f": {outcome}" if outcome else ".")
    return communicate(
        release,
        activity.code,
        by=by,
        subject=what,
        body=f"{what}\n\nRelease {release} is now in stage {release.get_stage_display()}.",
        to=informed,
        kind=Communication.Kind.INFORMED,
    )
