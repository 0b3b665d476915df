"""The personal iCalendar feed (``/calendar/feed/<token>.ics``): what the calendar shows
the user, from a month ago to a year ahead (with the calendar's filters, when the
address carries them), for a calendar client to subscribe to.

Each milestone is one event whose UID is its release and kind, so that a client moves it
when it is re-planned instead of adding another: its SEQUENCE counts the re-plans (and
one more once the release is cancelled, when it is sent with STATUS:CANCELLED). A
milestone planned by the day has DATE values. The windows of the RfCs on the change
schedule and the blackouts come too; a blackout repeated weekly is one event with its
rule.

Clients read a feed again and again, and it changes only when something is recorded:
the text is kept (the ``feeds`` cache) under the last audit entry's id, so that any
recorded change makes it anew, and for ``FEED_CACHE_SECONDS`` at most (what no audit
entry records, such as a change of a user's groups in the admin, shows by then)."""

from django.conf import settings
from django.core.cache import caches
from django.urls import reverse
from django.utils import timezone

from releasemgmt import calendars
from releasemgmt.audit.models import AuditEntry
from releasemgmt.links import Links
from releases.models import Milestone, Stage

from . import calendar

STAGE_LABELS = dict(Stage.choices)
#: how long a feed's text is kept at most (it is made anew at every recorded change)
FEED_CACHE_SECONDS = 300


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def feed(user, filters: calendar.Filters | None = None, now=None) -> bytes:
    """The user's feed as iCalendar text, from the cache while nothing was recorded."""
    filters = filters or calendar.Filters()
    now = now or timezone.now()
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first()
    key = ":".join(
        str(part)
        for part in (
            "calendar-feed",
            user.pk,
            last,
            timezone.localdate(now),
            filters.application and filters.application.pk,
            filters.business_thread and filters.business_thread.pk,
            filters.release_type,
            filters.stage,
        )
    )
    cache = caches["feeds"]
    text = cache.get(key)
    if text is None:
        text = make_feed(user, filters, now)
        cache.set(key, text, FEED_CACHE_SECONDS)
    return text


def make_feed(user, filters: calendar.Filters, now) -> bytes:
    """The feed's text, made from the database."""
    start, end = calendar.feed_range(now)
    release_page, rfc_page = Links("releases:detail"), Links("changes:rfc")
    cal = calendars.calendar(name="Releases")
    for (
        kind,
        starts_at,
        ends_at,
        all_day,
        replans,
        replanned_at,
        identifier,
        name,
        stage,
        updated_at,
        application,
    ) in calendar.feed_milestones(user, start, end, filters):
        cancelled = stage == Stage.CANCELLED
        label = calendar.KIND_LABELS[kind]
        cal.add_component(
            calendars.event(
                uid=calendars.uid(identifier, kind),
                summary=f"{identifier} {label}" + (" (cancelled)" if cancelled else ""),
                starts_at=starts_at,
                ends_at=ends_at,
                all_day=all_day,
                sequence=replans + (1 if cancelled else 0),
                stamp=max(filter(None, (updated_at, replanned_at))),
                description=f"{identifier} {name}\n{application.upper()}, "
                f"{STAGE_LABELS[stage].lower()}.",
                url=_url(release_page(identifier)),
                cancelled=cancelled,
                busy=kind in (Milestone.Kind.KICKOFF, Milestone.Kind.INSTALLATION),
            )
        )
    for row in calendar.packages(user, start, end, filters)[: calendar.LIMITS["package"]]:
        pk, reference, name, updated_at, first_at, last_at, count = row.values()
        cal.add_component(
            calendars.event(
                uid=calendars.uid("package", pk),
                summary=f"{reference} {name}: installation",
                starts_at=first_at,
                ends_at=last_at,
                stamp=updated_at,
                description=f"Installation of release package {reference} "
                f"({count} release{'s' if count != 1 else ''}).",
                url=_url(reverse("packages:detail", args=[pk])),
                busy=True,
            )
        )
    for (
        reference,
        title,
        starts_at,
        ends_at,
        authorised_at,
        created_at,
        release,
    ) in calendar.feed_rfcs(user, start, end, filters):
        cal.add_component(
            calendars.event(
                uid=calendars.uid("rfc", reference),
                summary=f"{reference} {title}",
                starts_at=starts_at,
                ends_at=ends_at,
                stamp=authorised_at or created_at,
                description=f"Change window of {reference}"
                + (f", carried by {release}." if release else "."),
                url=_url(rfc_page(reference)),
            )
        )
    for window in calendar.feed_blackouts(user, start, end, filters):
        event = calendars.event(
            uid=calendars.uid("window", window.pk),
            summary=f"Blackout: {window.title}",
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            stamp=window.created_at,
            description=window.reason,
            local=window.repeats_weekly,
        )
        if window.repeats_weekly:
            calendars.repeat_weekly(event, window.repeat_until)
        cal.add_component(event)
    return calendars.text(cal)
