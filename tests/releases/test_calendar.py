"""The calendar: its JSON (``/api/v1/calendar/``) with each kind of entry, the filters,
what a user may see, a fixed number of queries and the 400s of a bad range; the
conflicts of many installations at once as ``conflicts_of`` finds them one by one; the
personal iCalendar feed read back with ``icalendar`` (stable UIDs, SEQUENCE, cancelled
releases, all-day dates, the address regenerated); and the kick-off's meeting request
in the real mail."""

import datetime
from collections import defaultdict
from urllib.parse import urlencode

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from changes.models import RfC
from dashboards import calendar as selectors
from deployments.conflicted import Installation, conflicted
from deployments.conflicts import conflicts_of, installation_window
from deployments.models import DeploymentTask
from releasemgmt.accounts import feeds
from releasemgmt.notifications import delivery
from releasemgmt.notifications.models import Communication
from releases import planning
from releases import services as releases
from releases.models import Application, Milestone
from tests.conftest import party
from tests.waiting import wait_until

WEEK = datetime.timedelta(days=7)

pytestmark = pytest.mark.django_db

URL = "/api/v1/calendar/"
RANGE = {"start": "2027-02-01", "end": "2027-06-01"}
#: six weeks from March, as the page's month view asks them day by day
MARCH = {"start": "2027-03-01", "end": "2027-04-12", "per_day": 2}


def at(day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def rfc_for(release, reference, requester, *, starts_at, hours=2, status=RfC.Status.SCHEDULED):
    rfc = RfC.objects.create(
        reference=reference,
        title=f"Change {reference}",
        status=status,
        requester=requester,
        release=release,
        planned_start=starts_at,
        planned_end=starts_at + datetime.timedelta(hours=hours),
    )
    rfc.applications.add(release.application)
    return rfc


@pytest.fixture
def world(cast, make_release, make_user, release_manager):
    """Ours (A3/Cust): a release with a pSAT planned to the hour and a scheduled RfC, and
    a cancelled one; theirs (A3/Exc): a release with its RfC and a blackout of their own.
    A global blackout and a weekly maintenance window of ECS."""
    ours = make_release(name="Our release")
    day = ours.planned_delivery_date + datetime.timedelta(days=3)
    planning.plan_milestone(
        ours, "psat", by=release_manager, starts_at=at(day, 9), ends_at=at(day, 17)
    )
    cancelled = make_release(name="Dropped")
    releases.fire_transition(cancelled, "cancel", by=release_manager, reason="Merged")
    theirs = make_release(threads=("a3-exc",), name="Their release")
    exc = make_user("exc", "DG TAXUD A3/Exc")
    # each release's change on the evening of its installation
    our_rfc = rfc_for(
        ours, "RFC-OURS", release_manager, starts_at=at(ours.planned_installation_date, 20)
    )
    their_rfc = rfc_for(
        theirs, "RFC-THEIRS", release_manager, starts_at=at(theirs.planned_installation_date, 21)
    )
    freeze = planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Spring freeze",
        starts_at=at(datetime.date(2027, 4, 1)),
        ends_at=at(datetime.date(2027, 4, 3)),
    )
    exc_freeze = planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Exc freeze",
        starts_at=at(datetime.date(2027, 4, 10)),
        ends_at=at(datetime.date(2027, 4, 11)),
        business_thread=party("a3-exc"),
    )
    maintenance = planning.save_window(
        by=release_manager,
        kind="maintenance",
        title="Saturday nights",
        starts_at=at(datetime.date(2027, 2, 6), 20),
        ends_at=at(datetime.date(2027, 2, 7), 2),
        repeats_weekly=True,
        application=ours.application,
    )
    return type(
        "World",
        (),
        {
            "ours": ours,
            "cancelled": cancelled,
            "theirs": theirs,
            "exc": exc,
            "our_rfc": our_rfc,
            "their_rfc": their_rfc,
            "freeze": freeze,
            "exc_freeze": exc_freeze,
            "maintenance": maintenance,
            "cast": cast,
        },
    )


def calendar(client_or_user, **params):
    client = client_or_user
    if not isinstance(client, Client):
        client = Client()
        client.force_login(client_or_user)
    return client.get(URL, RANGE | params)


def events(user, **params) -> list[dict]:
    response = calendar(user, **params)
    assert response.status_code == 200, response.content
    return response.json()["events"]


def by_title(entries) -> dict:
    return {e["title"]: e for e in entries}


# --- the JSON ------------------------------------------------------------------------


def test_each_kind_of_entry(world):
    entries = by_title(events(world.cast.rm))
    ours = world.ours.identifier
    delivery_ = entries[f"{ours} Delivery"]
    assert delivery_ | {"id": None} == {
        "id": None,
        "type": "milestone",
        "kind": "delivery",
        "title": f"{ours} Delivery",
        "start": "2027-03-01",
        "end": "2027-03-02",
        "all_day": True,
        "url": f"/releases/{ours}/",
        "release": ours,
        "stage": "planning",
        "cancelled": False,
        "conflict": False,
    }
    psat = entries[f"{ours} pSAT"]
    assert (psat["start"], psat["end"], psat["all_day"]) == (
        "2027-03-04T09:00:00+01:00",
        "2027-03-04T17:00:00+01:00",
        False,
    )
    assert entries[f"{ours} Installation"]["start"] == "2027-03-15"
    rfc = entries["RFC-OURS Change RFC-OURS"]
    assert (rfc["type"], rfc["kind"], rfc["url"], rfc["release"]) == (
        "rfc",
        "scheduled",
        "/changes/rfcs/RFC-OURS/",
        ours,
    )
    freeze = entries["Blackout: Spring freeze"]
    assert (freeze["type"], freeze["url"], freeze["start"]) == (
        "blackout",
        None,
        "2027-04-01T00:00:00+02:00",
    )
    # the weekly window: each occurrence in the range, its local hours across summer time
    saturdays = [e for e in events(world.cast.rm) if e["title"] == "Maintenance: Saturday nights"]
    assert len(saturdays) == 17  # 6 February is the first, 29 May the last before June
    assert {e["start"][11:19] for e in saturdays} == {"20:00:00"}
    assert len({e["id"] for e in saturdays}) == 17
    cancelled = entries[f"{world.cancelled.identifier} Installation"]
    assert (cancelled["cancelled"], cancelled["stage"]) == (True, "cancelled")


def test_an_installation_with_a_conflict_is_flagged(world, release_manager):
    ours = world.ours

    def flag():
        entries = by_title(events(world.cast.rm))
        return entries[f"{ours.identifier} Installation"]["conflict"]

    # outside the Saturday maintenance windows of ECS (15 March 2027 is a Monday)
    assert flag() is True
    planning.plan_milestone(
        ours,
        "installation",
        by=release_manager,
        starts_at=at(datetime.date(2027, 3, 13), 21),
        ends_at=at(datetime.date(2027, 3, 13), 23),
    )
    assert flag() is False
    planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Weekend freeze",
        starts_at=at(datetime.date(2027, 3, 13), 18),
        ends_at=at(datetime.date(2027, 3, 14), 6),
    )
    assert flag() is True


def test_filters(world, make_user):
    rm = world.cast.rm
    ours, theirs = world.ours.identifier, world.theirs.identifier
    nothing = Application.objects.create(code="ncts", name="Transit")
    releases_in = {e["release"] for e in events(rm) if e["type"] == "milestone"}
    assert {ours, theirs, world.cancelled.identifier} <= releases_in

    def titles(**params):
        return {e["title"] for e in events(rm, **params)}

    assert not {t for t in titles(application="ncts") if "Delivery" in t or "RFC" in t}
    assert nothing.code == "ncts"
    thread = titles(business_thread="a3-exc")
    assert f"{theirs} Delivery" in thread
    assert f"{ours} Delivery" not in thread
    assert "RFC-THEIRS Change RFC-THEIRS" in thread
    assert "RFC-OURS Change RFC-OURS" not in thread
    assert "Blackout: Exc freeze" in thread
    assert "Blackout: Spring freeze" in thread
    assert "Blackout: Exc freeze" not in titles(business_thread="a3-cust")
    stage = titles(stage="cancelled")
    assert f"{world.cancelled.identifier} Delivery" in stage
    assert f"{ours} Delivery" not in stage
    assert "RFC-OURS Change RFC-OURS" not in stage
    assert f"{ours} Delivery" not in titles(release_type="major")
    assert f"{ours} Delivery" in titles(release_type="minor")


def test_another_threads_releases_and_changes_never_appear(world):
    seen = events(world.exc, start="2027-01-01", end="2027-12-31")
    text = str(seen)
    for secret in (
        world.ours.identifier,
        world.cancelled.identifier,
        "RFC-OURS",
        world.ours.name,
    ):
        assert secret not in text
    mine = by_title(seen)
    assert f"{world.theirs.identifier} Delivery" in mine
    assert "RFC-THEIRS Change RFC-THEIRS" in mine
    assert "Blackout: Exc freeze" in mine
    assert "Blackout: Spring freeze" in mine
    cust = str(events(world.cast.cust, start="2027-01-01", end="2027-12-31"))
    for secret in (world.theirs.identifier, "RFC-THEIRS", "Exc freeze"):
        assert secret not in cust
    # filters narrow what a user sees, never widen it
    widened = events(world.cast.cust, business_thread="a3-exc", application="ecs")
    assert world.theirs.identifier not in str(widened)
    assert "Exc freeze" not in str(widened)


def _queries(user, **params) -> int:
    client = Client()
    client.force_login(user)
    client.get(URL, RANGE)  # the session and the user's permissions, read once
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL, RANGE | params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_a_fixed_number_of_queries_whatever_the_entries(world, make_release, release_manager):
    counts = {
        "rm": _queries(world.cast.rm),
        "thread": _queries(world.cast.cust),
        "filtered": _queries(world.cast.rm, application="ecs", business_thread="a3-cust"),
        "day by day": _queries(world.cast.cust, **MARCH),
    }
    before = len(events(world.cast.rm))
    for n in range(6):
        release = make_release(name=f"More {n}")
        day = release.planned_delivery_date
        planning.plan_milestone(
            release, "sat", by=release_manager, starts_at=at(day, 9), ends_at=at(day, 12)
        )
        rfc_for(release, f"RFC-MORE-{n}", release_manager, starts_at=at(day, 20))
    assert len(events(world.cast.rm)) >= before + 6 * 4
    assert _queries(world.cast.rm) == counts["rm"]
    assert _queries(world.cast.cust) == counts["thread"]
    assert _queries(world.cast.cust, **MARCH) == counts["day by day"]
    assert (
        _queries(world.cast.rm, application="ecs", business_thread="a3-cust") == counts["filtered"]
    )
    # among them the release packages' entries, and the earliest change window still
    # open when the range starts (where the schedule's index is read from)
    assert counts["rm"] <= 16, counts


#: the types of entry of each layer
LAYER_TYPES = {
    "releases": {"milestone", "package"},
    "changes": {"rfc"},
    "windows": {"blackout", "maintenance"},
}


def test_each_layer_alone_and_together_every_entry_once(world):
    """The page asks for each layer on its own; without a layer the answer holds them
    all, in the same order."""
    for user in (world.cast.rm, world.cast.cust):
        whole = events(user)
        parts = {layer: events(user, layer=layer) for layer in LAYER_TYPES}
        for layer, entries in parts.items():
            assert entries, layer
            assert {e["type"] for e in entries} <= LAYER_TYPES[layer], layer
        assert [e for layer in LAYER_TYPES for e in parts[layer]] == whole
    ours = world.ours.identifier
    releases = by_title(events(world.cast.rm, layer="releases"))
    assert releases[f"{ours} Installation"]["conflict"] is True
    assert "RFC-THEIRS Change RFC-THEIRS" not in by_title(events(world.cast.cust, layer="changes"))


def test_each_layer_takes_a_fixed_number_of_queries(world, make_release, release_manager):
    counts = {layer: _queries(world.cast.cust, layer=layer) for layer in LAYER_TYPES}
    for n in range(4):
        release = make_release(name=f"More {n}")
        rfc_for(
            release,
            f"RFC-LAYER-{n}",
            release_manager,
            starts_at=at(release.planned_delivery_date, 20),
        )
    assert {layer: _queries(world.cast.cust, layer=layer) for layer in LAYER_TYPES} == counts
    # the layers apart cost what they cost together, but for each request's own (the
    # session, the user and their permissions: at most five)
    assert sum(counts.values()) <= _queries(world.cast.cust) + 2 * 5, counts


#: the kinds of entry cut day by day on their own, and their layer
KIND_OF = {
    "milestone": "milestone",
    "package": "package",
    "rfc": "rfc",
    "blackout": "window",
    "maintenance": "window",
}
LAYER_OF = {"milestone": "releases", "package": "releases", "rfc": "changes", "window": "windows"}


#: six weeks, as the page's month view asks them, across the change to summer time
SIX_WEEKS = {"start": "2027-03-22", "end": "2027-05-03"}


@pytest.fixture
def busy(world, make_release, release_manager):
    """A busy 13 April 2027 (five SATs, and two pSATs half an hour from either midnight:
    another day in UTC), 14 April (five changes) and 15 April (three blackouts); two
    pSATs on 28 March, either side of the change to summer time; a kick-off begun before
    the six weeks."""
    day = datetime.date(2027, 4, 13)
    busy = [make_release(name=f"Busy {n}") for n in range(5)]
    for n, release in enumerate(busy):
        planning.plan_milestone(
            release, "sat", by=release_manager, starts_at=at(day, 8 + n), ends_at=at(day, 9 + n)
        )
        rfc_for(
            release,
            f"RFC-BUSY-{n}",
            release_manager,
            starts_at=at(day + datetime.timedelta(days=1), 8 + n),
        )
    summer = datetime.date(2027, 3, 28)
    for release, (starts_at, ends_at) in zip(
        busy,
        [
            (at(day, 0, 30), at(day, 1)),
            (at(day, 23, 30), at(day, 23, 50)),
            (at(summer, 0, 30), at(summer, 1)),
            (at(summer, 23, 30), at(summer, 23, 50)),
        ],
        strict=False,
    ):
        planning.plan_milestone(
            release, "psat", by=release_manager, starts_at=starts_at, ends_at=ends_at
        )
    planning.plan_milestone(
        busy[4],
        "kickoff",
        by=release_manager,
        starts_at=at(datetime.date(2027, 3, 20), 9),
        ends_at=at(datetime.date(2027, 3, 23), 9),
    )
    for n in range(3):
        planning.save_window(
            by=release_manager,
            kind="blackout",
            title=f"Freeze {n}",
            starts_at=at(day + datetime.timedelta(days=2), n),
            ends_at=at(day + datetime.timedelta(days=2), n + 1),
        )
    return day


def by_day(entries, per_day: int, first_day: str) -> tuple[list[str], list[dict]]:
    """What a range asked day by day answers, worked out from the whole answer: the
    first ``per_day`` of each kind on each local day (one begun before the range on its
    ``first_day``), in the answer's order, and how many more each day holds of each
    layer."""
    groups = defaultdict(list)
    for entry in entries:
        day = max(entry["start"][:10], first_day)
        groups[KIND_OF[entry["type"]], day].append(entry)
    shown, more = set(), defaultdict(int)
    for (kind, day), group in groups.items():
        group.sort(key=lambda entry: entry["start"])
        shown |= {entry["id"] for entry in group[:per_day]}
        if len(group) > per_day:
            more[LAYER_OF[kind], day] += len(group) - per_day
    layers = list(LAYER_TYPES)
    return [entry["id"] for entry in entries if entry["id"] in shown], [
        {"date": day, "layer": layer, "count": count}
        for (layer, day), count in sorted(
            more.items(), key=lambda i: (layers.index(i[0][0]), i[0][1])
        )
    ]


def test_a_month_asked_day_by_day_shows_the_first_of_each_day_and_counts_the_rest(world, busy):
    """The page's month: of each kind, the first of each local day by their start, and
    how many more each busy day holds of each layer; the day's own range shows them all."""
    for user in (world.cast.rm, world.cast.cust):
        whole = calendar(user, **SIX_WEEKS).json()
        assert whole["more"] == []
        shown, more = by_day(whole["events"], 2, SIX_WEEKS["start"])
        body = calendar(user, per_day=2, **SIX_WEEKS).json()
        assert [entry["id"] for entry in body["events"]] == shown
        assert body["more"] == more
        assert body["truncated"] is False
        busiest = {(day["date"], day["layer"]): day["count"] for day in body["more"]}
        # seven milestones on the 13th in Brussels (the first of them on the 12th in UTC),
        # five changes on the 14th, three blackouts on the 15th
        assert busiest["2027-04-13", "releases"] == 5
        assert busiest["2027-04-14", "changes"] == 3
        assert busiest["2027-04-15", "windows"] == 1
        first_two = [
            e["start"][11:16]
            for e in body["events"]
            if e["type"] == "milestone" and e["start"][:10] == "2027-04-13"
        ]
        assert first_two == ["00:30", "08:00"]
        # the kick-off begun before the range, and the 28th's pSATs, on their own days
        kickoff = next(e for e in body["events"] if e["title"].endswith("Kick-off meeting"))
        assert kickoff["start"].startswith("2027-03-20")
        summer = [e["start"] for e in body["events"] if e["start"][:10] == "2027-03-28"]
        assert {start[11:16] for start in summer} >= {"00:30", "23:30"}, summer
        # one layer alone: its own days
        alone = calendar(user, per_day=2, layer="changes", **SIX_WEEKS).json()
        assert alone["more"] == [day for day in more if day["layer"] == "changes"]
        # the day's own range holds every entry of the day
        day = calendar(user, start="2027-04-13", end="2027-04-14", layer="releases").json()
        assert sum(e["start"].startswith("2027-04-13") for e in day["events"]) == 7
        assert day["more"] == []


def test_a_month_cut_by_the_limits_after_its_days_says_so(world, busy, monkeypatch):
    """The limits cut what the days answered, the earliest days kept, and say so; the
    counts of the days kept stay exact."""
    whole = calendar(world.cast.rm, per_day=2, layer="releases", **SIX_WEEKS).json()
    milestones = [e for e in whole["events"] if e["type"] == "milestone"]
    monkeypatch.setitem(selectors.LIMITS, "milestone", len(milestones) - 1)
    cut = calendar(world.cast.rm, per_day=2, layer="releases", **SIX_WEEKS).json()
    assert cut["truncated"] is True
    assert [e["id"] for e in cut["events"] if e["type"] == "milestone"] == [
        e["id"] for e in milestones[:-1]
    ]
    # the days kept count as before; the last day's count went with its last milestone
    dropped = max(milestones[-1]["start"][:10], SIX_WEEKS["start"])
    assert [d for d in cut["more"] if d["date"] != dropped] == [
        d for d in whole["more"] if d["date"] != dropped
    ]


def test_a_long_range_is_not_asked_day_by_day(world):
    """Day by day reads every entry of the range: at most 62 days."""
    client = Client()
    client.force_login(world.cast.rm)
    response = client.get(URL, {"start": "2027-03-01", "end": "2027-05-03", "per_day": 4})
    assert response.status_code == 400
    assert "62 days" in response.json()["per_day"][0]
    longest = client.get(URL, {"start": "2027-03-01", "end": "2027-05-02", "per_day": 4})
    assert longest.status_code == 200


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"start": None}, "start"),
        ({"end": None}, "end"),
        ({"start": "tomorrow"}, "start"),
        ({"end": "2027-13-01"}, "end"),
        ({"end": "2027-01-01"}, "end"),  # before the start
        ({"end": "2028-02-10"}, "end"),  # over 370 days
        ({"application": "nosuchapp"}, "application"),
        ({"business_thread": "itsm-service-desk"}, "business_thread"),  # not a thread
        ({"release_type": "huge"}, "release_type"),
        ({"stage": "limbo"}, "stage"),
        ({"layer": "rfcs"}, "layer"),
        ({"layer": "releases\x00"}, "layer"),
        ({"per_day": "0"}, "per_day"),
        ({"per_day": "51"}, "per_day"),
        ({"per_day": "-3"}, "per_day"),
        ({"per_day": "2.5"}, "per_day"),
        ({"per_day": "many"}, "per_day"),
    ],
)
def test_a_bad_range_or_filter_answers_400_naming_the_parameter(world, params, named):
    query = {k: v for k, v in (RANGE | params).items() if v is not None}
    client = Client()
    client.force_login(world.cast.rm)
    response = client.get(URL, query)
    assert response.status_code == 400, response.content
    assert named in response.json(), response.json()


HOSTILE = {
    "NUL": "2027\x00-01-01",
    "control character": "2027-01-01\x1b[31m",
    "line break": "2027-01-01\nx",
    "year 1": "0001-01-01",
    "year 9999": "9999-12-31T23:59:59",
    "before 1900": "1899-12-31",
    "far too long": "2" * 5000,
    "integer over 64 bits": "99999999999999999999999999",
    "surrogate, percent-encoded": "%ED%A0%80",
}


@pytest.mark.parametrize(
    "name", ["start", "end", "application", "business_thread", "stage", "layer", "per_day"]
)
@pytest.mark.parametrize("label", sorted(HOSTILE))
def test_hostile_query_parameters_are_refused_on_their_name(world, name, label):
    client = Client(raise_request_exception=False)
    client.force_login(world.cast.rm)
    query = urlencode(RANGE | {name: HOSTILE[label]}).replace("%25ED%25A0%2580", "%ED%A0%80")
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 400, (label, response.status_code, response.content[:300])
    body = response.json()
    assert name in body, body
    for bad in ("\x00", "\x1b", "\ud800"):
        assert bad not in response.content.decode(errors="replace")


def test_the_calendar_needs_a_login(world):
    assert Client().get(URL, RANGE).status_code in (401, 403)
    assert Client().get("/calendar/").status_code == 302


def test_the_page_offers_the_filters_and_the_feed(world):
    client = Client()
    client.force_login(world.cast.cust)
    body = client.get("/calendar/", {"application": "ecs", "stage": "planning"}).content.decode()
    assert 'data-events="/api/v1/calendar/"' in body
    assert 'value="ecs" selected' in body
    assert "vendor/fullcalendar/index.global.min.js" in body
    assert 'href="/account/calendar/?application=ecs&amp;stage=planning"' in body
    assert 'href="/calendar/"' in body  # the navigation's link


# --- conflicts, many at once -----------------------------------------------------------


def install_at(release, start, hours: int, by) -> None:
    """The release's installation window planned from ``start`` for ``hours``."""
    planning.plan_milestone(
        release,
        "installation",
        by=by,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
    )


def installation_of(release) -> Installation:
    return Installation(release.pk, release.application_id, *installation_window(release))


def test_many_installations_flagged_as_conflicts_of_finds_them(
    make_release, release_manager, make_user, application
):
    """Each rule of deployments.conflicts, and none: the bulk answer is the one by one."""
    other_app = Application.objects.create(code="ncts", name="Transit")
    day = datetime.date(2027, 5, 3)
    a = make_release()  # and b: same application, same night
    b = make_release()
    c = make_release(application=other_app)  # the same coordinator, same night
    d = make_release(application=other_app, threads=("a3-exc",))  # thread blackout
    e = make_release()  # a change on ECS at that time
    f = make_release(application=other_app)  # nothing in its way
    for release, when in ((a, 16), (b, 18), (c, 19)):
        install_at(release, at(day, when), 3, release_manager)
    for release, offset in ((d, 14), (e, 21), (f, 28)):
        install_at(release, at(day + datetime.timedelta(days=offset), 20), 2, release_manager)
    planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Exc only",
        starts_at=at(day + datetime.timedelta(days=14)),
        ends_at=at(day + datetime.timedelta(days=15)),
        business_thread=party("a3-exc"),
    )
    rfc_for(f, "RFC-F", release_manager, starts_at=at(day + datetime.timedelta(days=28), 20))
    other = RfC.objects.create(
        reference="RFC-E",
        title="On ECS",
        status=RfC.Status.AUTHORISED,
        requester=release_manager,
        planned_start=at(day + datetime.timedelta(days=21), 19),
        planned_end=at(day + datetime.timedelta(days=21), 23),
    )
    other.applications.add(application)
    everyone = [a, b, c, d, e, f]
    one_by_one = {r.pk for r in everyone if conflicts_of(r)}
    assert one_by_one == {a.pk, b.pk, c.pk, d.pk, e.pk}
    installations = [installation_of(r) for r in everyone]
    with CaptureQueriesContext(connection) as ctx:
        assert conflicted(installations) == one_by_one
    assert len(ctx.captured_queries) <= 5
    # maintenance windows: a release outside them conflicts, inside does not
    planning.save_window(
        by=release_manager,
        kind="maintenance",
        title="Evenings",
        starts_at=at(day + datetime.timedelta(days=28), 18),
        ends_at=at(day + datetime.timedelta(days=28), 23),
        application=other_app,
        repeats_weekly=True,
    )
    assert conflicted(installations) == {r.pk for r in everyone if conflicts_of(r)}
    assert f.pk not in conflicted(installations)
    assert c.pk in conflicted(installations)


def test_installations_flagged_by_an_earlier_rule_are_not_asked_about_again(
    make_release, release_manager, application
):
    """Only whether there is a conflict: two installations of one application on the
    same night are flagged by the first query, and the blackouts, maintenance windows
    and changes are not read for them. A third, alone, is asked about by every rule."""
    day = datetime.date(2027, 6, 7)
    a, b, alone = make_release(), make_release(), make_release()
    for release, when in ((a, at(day, 18)), (b, at(day, 20)), (alone, at(day, 20) + WEEK)):
        install_at(release, when, 3, release_manager)
    pair = [installation_of(r) for r in (a, b)]
    with CaptureQueriesContext(connection) as ctx:
        assert conflicted(pair) == {a.pk, b.pk}
    assert len(ctx.captured_queries) == 1
    three = [*pair, installation_of(alone)]
    with CaptureQueriesContext(connection) as ctx:
        assert conflicted(three) == {a.pk, b.pk}
    assert len(ctx.captured_queries) == 4


def test_installations_meeting_another_of_their_application_or_coordinator_as_pairwise(
    make_release, release_manager
):
    """The sweep in the database (``conflicted.SWEEP``) flags the installations the pairwise
    rule does: of one application, or of one deployment coordinator, meeting another's
    window (no blackout, maintenance window or change here). Windows that touch, nest,
    share a start, stand alone; some without a coordinator, whose only partners are
    their application's."""
    import random

    other_app = Application.objects.create(code="ncts", name="Transit")
    releases = []
    for n in range(10):
        of_transit = {"application": other_app} if n % 3 == 0 else {}
        releases.append(make_release(assign=n % 2 == 0, **of_transit))  # the coordinator
    coordinated = {r.pk for n, r in enumerate(releases) if n % 2 == 0}
    for release in releases:
        install_at(release, at(datetime.date(2027, 9, 6), 0), 1, release_manager)
    base = at(datetime.date(2027, 9, 6), 0)
    draw = random.Random(17)
    for _ in range(12):
        windows = {}
        for release in releases:
            start = base + datetime.timedelta(hours=draw.randint(0, 30))
            end = start + datetime.timedelta(hours=draw.randint(1, 6))
            Milestone.objects.filter(release=release, kind=Milestone.Kind.INSTALLATION).update(
                starts_at=start, ends_at=end
            )
            windows[release.pk] = (release.application_id, start, end)
        pairwise = {
            a
            for a, (app, s, e) in windows.items()
            for b, (app2, s2, e2) in windows.items()
            if a != b
            and s < e2
            and e > s2
            and (app == app2 or (a in coordinated and b in coordinated))
        }
        ours = [Installation(pk, app, s, e) for pk, (app, s, e) in windows.items()]
        assert conflicted(ours) == pairwise, windows
        # asked about some of them, the others still count as partners
        some = ours[::2]
        assert conflicted(some) == pairwise & {i.release_id for i in some}


# --- the iCalendar feed ----------------------------------------------------------------


def feed_path(user) -> str:
    feed = feeds.feed_of(user) or feeds.regenerate(user)
    return f"/calendar/feed/{feeds.token_of(feed)}.ics"


def read_feed(path) -> Calendar:
    response = Client().get(path)  # no session: the address is the key
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def vevents(cal) -> dict:
    return {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}


@pytest.fixture
def in_the_feed(settings):
    """The feed holds a month back and a year ahead of now: now is 1 February 2027."""
    settings.SITE_URL = "https://rm.example.org"
    now = at(datetime.date(2027, 2, 1), 12)
    return now


def test_the_feed_holds_milestones_changes_and_blackouts(world, in_the_feed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    found = vevents(read_feed(feed_path(world.cast.rm)))
    ours = world.ours.identifier
    delivery_ = found[f"{ours} Delivery"]
    assert str(delivery_["UID"]) == f"{ours}-delivery@rm.example.org"
    assert delivery_.decoded("DTSTART") == datetime.date(2027, 3, 1)  # all day: a DATE
    assert delivery_.decoded("DTEND") == datetime.date(2027, 3, 2)
    assert str(delivery_["URL"]) == f"https://rm.example.org/releases/{ours}/"
    assert str(delivery_["STATUS"]) == "CONFIRMED"
    psat = found[f"{ours} pSAT"]
    assert psat.decoded("DTSTART") == at(datetime.date(2027, 3, 4), 9)
    assert "DTSTAMP" in psat
    assert int(psat["SEQUENCE"]) == 0
    assert str(found["RFC-OURS Change RFC-OURS"]["UID"]) == "rfc-RFC-OURS@rm.example.org"
    assert "Blackout: Spring freeze" in found
    cancelled = found[f"{world.cancelled.identifier} Installation (cancelled)"]
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert int(cancelled["SEQUENCE"]) == 1


def test_a_replan_moves_the_event_under_the_same_uid(
    world, in_the_feed, monkeypatch, release_manager
):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    path = feed_path(world.cast.rm)
    name = f"{world.ours.identifier} Installation"
    before = vevents(read_feed(path))[name]
    day = world.ours.planned_installation_date + datetime.timedelta(days=2)
    planning.take_baseline(world.ours)
    planning.plan_milestone(
        world.ours,
        "installation",
        by=release_manager,
        starts_at=at(day, 20),
        ends_at=at(day, 22),
        reason="Servers late",
    )
    after = vevents(read_feed(path))[name]
    assert str(after["UID"]) == str(before["UID"])
    assert int(after["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert after.decoded("DTSTART") == at(day, 20)
    assert after.decoded("DTSTAMP") >= before.decoded("DTSTAMP")


def test_the_feed_has_its_owners_visibility(world, in_the_feed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    text = Client().get(feed_path(world.cast.cust)).content.decode()
    for secret in (world.theirs.identifier, "RFC-THEIRS", "Exc freeze", world.theirs.name):
        assert secret not in text
    assert world.ours.identifier in text
    assert "RFC-OURS" in text
    other = Client().get(feed_path(world.exc)).content.decode()
    assert world.theirs.identifier in other
    assert world.ours.identifier not in other


def test_a_regenerated_address_kills_the_old_one(world, in_the_feed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    client = Client()
    client.force_login(world.cast.cust)
    page = client.get("/account/calendar/").content.decode()
    assert "no feed address yet" in page
    client.post("/account/calendar/regenerate/")
    old = feed_path(world.cast.cust)
    assert old in client.get("/account/calendar/").content.decode()
    read_feed(old)
    response = client.post("/account/calendar/regenerate/", follow=True)
    assert "the old one no longer works" in response.content.decode()
    new = feed_path(world.cast.cust)
    assert new != old
    assert Client().get(old).status_code == 404
    read_feed(new)
    # a forged address, another user's key with a signature of our own, a truncated one
    key = new.split("/")[-1].split("-")[0]
    for forged in (
        f"/calendar/feed/{key}-{'0' * 64}.ics",
        new.replace(".ics", "0.ics"),
        f"/calendar/feed/{key}.ics",
        "/calendar/feed/x.ics",
    ):
        assert Client().get(forged).status_code == 404, forged
    # an inactive user's feed answers as no feed
    world.cast.cust.is_active = False
    world.cast.cust.save()
    assert Client().get(new).status_code == 404


def test_the_feed_is_read_only(world):
    path = feed_path(world.cast.rm)
    assert Client().post(path).status_code == 405


# --- the kick-off's meeting request ------------------------------------------------------


def test_rm_3_1_plans_the_kickoff_and_mails_a_meeting_request(release_at, cast, smtp_sink):
    release = release_at("kickoff")
    cast.ok(
        cast.act(
            cast.dc,
            release,
            "add-task",
            {
                "title": "Prepare servers",
                "owner_party": "itsm-infrastructure-manager",
                "due_date": "2027-02-01",
            },
            multipart=False,
        ),
        201,
    )
    assert DeploymentTask.objects.filter(plan__release=release).exists()
    cast.ok(cast.perform(cast.dc, release, "RM.3.1", {"scheduled_at": "2027-01-20T10:00"}))
    kickoff = release.milestones.get(kind=Milestone.Kind.KICKOFF)
    assert (timezone.localtime(kickoff.starts_at), kickoff.ends_at - kickoff.starts_at) == (
        at(datetime.date(2027, 1, 20), 10),
        datetime.timedelta(hours=1),
    )
    assert kickoff.all_day is False
    comm = Communication.objects.get(release=release, activity="RM.3.1")
    assert comm.attachment_type == "text/calendar; method=REQUEST"
    delivery.deliver(comm.pk)
    wait_until(lambda: smtp_sink.messages, "the invitation")
    invited = {u.email for u in release.kickoff.invitees.all()}
    assert {rcpt[0] for rcpt, _, _ in smtp_sink.messages} == invited
    _, _, message = smtp_sink.messages[0]
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    assert part.get_filename() == "kickoff.ics"
    cal = Calendar.from_ical(part.get_payload(decode=True))
    assert str(cal["METHOD"]) == "REQUEST"
    [meeting] = cal.walk("VEVENT")
    assert meeting.decoded("DTSTART") == at(datetime.date(2027, 1, 20), 10)
    assert meeting.decoded("DTEND") == at(datetime.date(2027, 1, 20), 11)
    assert str(meeting["ORGANIZER"]) == f"mailto:{cast.dc.email}"
    attendees = meeting["ATTENDEE"]
    attendees = attendees if isinstance(attendees, list) else [attendees]
    assert {str(a).removeprefix("mailto:") for a in attendees} == invited
    assert str(meeting["UID"]).startswith(f"{release.identifier}-kickoff-meeting@")
    # the plain text and HTML of the mail are still there
    types = {p.get_content_type() for p in message.walk()}
    assert {"text/plain", "text/html", "text/calendar"} <= types


def test_a_kickoff_out_of_range_is_refused_on_its_field(release_at, cast):
    release = release_at("kickoff")
    task = {
        "title": "Prepare servers",
        "owner_party": "itsm-infrastructure-manager",
        "due_date": "2027-02-01",
    }
    cast.ok(cast.act(cast.dc, release, "add-task", task, multipart=False), 201)
    response = cast.perform(cast.dc, release, "RM.3.1", {"scheduled_at": "1950-01-20T10:00"})
    assert response.status_code == 400
    assert "scheduled_at" in response.json()
    assert not release.milestones.filter(kind=Milestone.Kind.KICKOFF).exists()


def test_past_its_limit_a_kind_is_cut_short_and_says_so(world, monkeypatch):

    response = calendar(world.cast.rm)
    assert response.json()["truncated"] is False
    monkeypatch.setitem(selectors.LIMITS, "milestone", 3)
    body = calendar(world.cast.rm).json()
    assert body["truncated"] is True
    milestones = [e for e in body["events"] if e["type"] == "milestone"]
    assert len(milestones) == 3
    assert [e["start"] for e in milestones] == sorted(e["start"] for e in milestones)
    assert any(e["type"] == "rfc" for e in body["events"])


def test_the_feed_takes_the_calendars_filters(world, in_the_feed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    path = feed_path(world.cast.rm)
    cancelled = vevents(read_feed(path + "?stage=cancelled"))
    assert f"{world.cancelled.identifier} Delivery (cancelled)" in cancelled
    assert f"{world.ours.identifier} Delivery" not in cancelled
    thread = vevents(read_feed(path + "?business_thread=a3-exc"))
    assert f"{world.theirs.identifier} Delivery" in thread
    assert f"{world.ours.identifier} Delivery" not in thread
    response = Client().get(path + "?stage=limbo")
    assert response.status_code == 400
    assert b"stage" in response.content
    response = Client().get(path + "?application=%00")
    assert response.status_code == 400
    assert b"\x00" not in response.content
    # the account page gives the address of the view the calendar showed
    client = Client()
    client.force_login(world.cast.rm)
    page = client.get("/account/calendar/", {"stage": "cancelled", "other": "x"})
    assert f'{path}?stage=cancelled"' in page.content.decode()


def test_a_recorded_change_makes_the_kept_feed_anew(world, in_the_feed, monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: in_the_feed)
    path = feed_path(world.cast.rm)
    first = Client().get(path).content
    assert Client().get(path).content == first  # kept
    planning.save_window(
        by=world.cast.rm,
        kind="blackout",
        title="Late freeze",
        starts_at=at(datetime.date(2027, 5, 1)),
        ends_at=at(datetime.date(2027, 5, 2)),
    )
    assert b"Late freeze" in Client().get(path).content
