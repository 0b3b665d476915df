"""iCalendar (RFC 5545) documents, written with the ``icalendar`` library: a calendar, its
events with stable UIDs, and a meeting request (``METHOD:REQUEST``) for an e-mail.
Knows nothing of releases: the rooms above say what each event is."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//releasemgmt//release management calendar//EN"


def host() -> str:
    """The site's host name, the right-hand side of every UID (stable across requests)."""
    return urlsplit(settings.SITE_URL).hostname or "releasemgmt"


def uid(*parts) -> str:
    """A UID that stays the same while ``parts`` do: a calendar client moves the event
    when it changes instead of adding another."""
    return "-".join(str(p) for p in parts).replace(" ", "_") + "@" + host()


def calendar(name: str = "", method: str = "") -> Calendar:
    """An empty calendar with its product id; ``name`` is what clients call it."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def event(
    *,
    uid: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    all_day: bool = False,
    sequence: int = 0,
    stamp: datetime | None = None,
    description: str = "",
    url: str = "",
    cancelled: bool = False,
    categories: tuple[str, ...] = (),
    local: bool = False,
    busy: bool = False,
) -> Event:
    """One VEVENT. An all-day event has DATE values (its local days, the end excluded);
    a timed one UTC times, or ``local`` times with their zone (for an event that repeats
    at the same hours across a change of summer time)."""
    ev = Event()
    ev.add("uid", uid)
    ev.add("dtstamp", (stamp or timezone.now()).astimezone(UTC))
    ev.add("sequence", sequence)
    ev.add("summary", summary)
    if all_day:
        first = timezone.localdate(starts_at)
        last = timezone.localdate(ends_at - timedelta(microseconds=1))
        ev.add("dtstart", first)
        ev.add("dtend", last + timedelta(days=1))
    elif local:
        ev.add("dtstart", timezone.localtime(starts_at))
        ev.add("dtend", timezone.localtime(ends_at))
    else:
        ev.add("dtstart", starts_at.astimezone(UTC))
        ev.add("dtend", ends_at.astimezone(UTC))
    if description:
        ev.add("description", description)
    if url:
        ev.add("url", url)
    if categories:
        ev.add("categories", list(categories))
    ev.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    ev.add("transp", "OPAQUE" if busy else "TRANSPARENT")
    return ev


def repeat_weekly(ev: Event, until: date | None) -> None:
    """The event happens again every week at the same local hours, until the end of
    the day ``until`` or for ever."""
    rule = {"freq": "weekly"}
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), datetime.min.time())
        rule["until"] = timezone.make_aware(end).astimezone(UTC)
    ev.add("rrule", rule)


def _address(email: str, name: str = "", **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["cn"] = vText(name)
    for key, value in params.items():
        address.params[key.replace("_", "-")] = vText(value)
    return address


def meeting_request(
    *,
    uid: str,
    summary: str,
    starts_at: datetime,
    ends_at: datetime,
    organizer: tuple[str, str],
    attendees: list[tuple[str, str]],
    sequence: int = 0,
    description: str = "",
    url: str = "",
) -> str:
    """An invitation to a meeting (iTIP ``METHOD:REQUEST``): its time, the organizer and
    the attendees as (e-mail, name), each asked to answer."""
    cal = calendar(method="REQUEST")
    ev = event(
        uid=uid,
        summary=summary,
        starts_at=starts_at,
        ends_at=ends_at,
        sequence=sequence,
        description=description,
        url=url,
        busy=True,
    )
    ev.add("organizer", _address(*organizer))
    for email, name in attendees:
        ev.add(
            "attendee",
            _address(email, name, role="REQ-PARTICIPANT", partstat="NEEDS-ACTION", rsvp="TRUE"),
        )
    cal.add_component(ev)
    return cal.to_ical().decode()


def text(cal: Calendar) -> bytes:
    """The calendar as iCalendar text (CRLF lines, folded at 75 octets), with the
    VTIMEZONE of every zone its local times name."""
    cal.add_missing_timezones()
    return cal.to_ical()
