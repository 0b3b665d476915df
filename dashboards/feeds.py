"""The personal iCalendar feed (``/calendar/feed/<token>.ics``): what the calendar shows
the user, from a month ago to a year ahead, for a calendar client to subscribe to.

Each milestone is one event whose UID is its release and kind, so that a client moves it
when it is re-planned instead of adding another: its SEQUENCE counts the re-plans (and
one more once the release is cancelled, when it is sent with STATUS:CANCELLED). A
milestone planned by the day has DATE values. The windows of the RfCs on the change
schedule and the blackouts come too; a blackout repeated weekly is one event with its
rule."""

from django.conf import settings
from django.utils import timezone

from releasemgmt import calendars
from releases.models import Milestone, Stage

from . import calendar

STAGE_LABELS = dict(Stage.choices)


def _url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def feed(user, now=None) -> bytes:
    """The user's feed as iCalendar text."""
    now = now or timezone.now()
    start, end = calendar.feed_range(now)
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
    ) in calendar.feed_milestones(user, start, end):
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
                url=_url(calendar.link("releases:detail", identifier)),
                cancelled=cancelled,
                categories=(label,),
                busy=kind in (Milestone.Kind.KICKOFF, Milestone.Kind.INSTALLATION),
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
    ) in calendar.feed_rfcs(user, start, end):
        cal.add_component(
            calendars.event(
                uid=calendars.uid("rfc", reference),
                summary=f"{reference} {title}",
                starts_at=starts_at,
                ends_at=ends_at,
                stamp=authorised_at or created_at,
                description=f"Change window of {reference}"
                + (f", carried by {release}." if release else "."),
                url=_url(calendar.link("changes:rfc", reference)),
                categories=("Change",),
            )
        )
    for window in calendar.feed_blackouts(user, start, end):
        event = calendars.event(
            uid=calendars.uid("window", window.pk),
            summary=f"Blackout: {window.title}",
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            stamp=window.created_at,
            description=window.reason,
            categories=("Blackout",),
            local=window.repeats_weekly,
        )
        if window.repeats_weekly:
            calendars.repeat_weekly(event, window.repeat_until)
        cal.add_component(event)
    return calendars.text(cal)
