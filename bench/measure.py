"""Time pages and API calls in-process with Django's test Client and count their queries."""

import datetime
import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from changes.models import CabMeeting, RfC
from dashboards.views import START_PARTS
from deployments.models import ReleasePackage
from dsl.models import CITask, ConfigurationItem
from kpis import periods
from raci.models import Party
from raci.permissions import Parties
from releasemgmt.accounts import feeds
from releasemgmt.runtime import settle_collector
from releases.models import Release, Stage
from releases.selectors import visible_releases
from satisfaction.models import Survey

#: revisions of the dataset's long-lived deployment plans (bench/dataset.py)
PLAN_REVISIONS = 30
#: the application whose DSL holds a hundred versions with files (bench/dataset.py)
LIBRARY_APPLICATION = "ecs"

PERSONAS = {
    "release manager": Parties.RELEASE_MANAGER,
    "thread A3/Cust": "DG TAXUD A3/Cust",
    "service desk": "ITSM Service Desk",
}


@dataclass
class Row:
    persona: str
    page: str
    status: int  # what it answered; figures only for the status expected
    queries: int
    p50: float  # ms, whole request
    p95: float
    db_p50: float  # ms spent in SQL
    kb: float
    slowest_ms: float
    slowest_sql: str
    sql: list[tuple[float, str]]  # (ms, query) of the captured request
    expect: int = 200
    first: float = float("nan")  # ms of the first request (nothing kept yet: a feed's)


@dataclass
class Page:
    persona: str
    path: str
    user: object  # None: an anonymous client
    load: bool = False  # also timed under load through gunicorn
    #: what it must answer: anything else fails the run (a page not built yet answers
    #: 404 fast, and would look like a fast page)
    expect: int = 200


#: p95 budget of the main pages (DESIGN section 8)
BUDGET_MS = 50


def pages(world) -> list[Page]:
    """Every page and API list, for the personas it matters to. The main pages for all
    three personas; under load, each page once with the persona it is meant for."""
    rm = world.members[Parties.RELEASE_MANAGER][0]
    thread = Party.objects.get(name=PERSONAS["thread A3/Cust"])
    shared = Release.objects.filter(assignments__user=rm).filter(assignments__group=thread.group)
    # A release in acceptance all three may see (any such release on a small dataset).
    release = (
        shared.filter(stage=Stage.ACCEPTANCE).order_by("id").first()
        or shared.order_by("id").first()
    )
    # The release manager's own release in planning: RM.1.1 offers the RfCs to include.
    planning = (
        Release.objects.filter(stage=Stage.PLANNING, assignments__user=rm)
        .filter(assignments__party__name=Parties.RELEASE_MANAGER)
        .order_by("id")
        .first()
    )
    people = {persona: world.members[party][0] for persona, party in PERSONAS.items()}
    people["configuration manager"] = world.members[Parties.CONFIGURATION_MANAGER][0]
    # An RfC of that release with its CAB's advice and decision (a long history).
    rfc = (
        RfC.objects.filter(release=release, cab_decisions__isnull=False).order_by("id").first()
        or RfC.objects.filter(release=release).order_by("id").first()
        or RfC.objects.order_by("id").first()
    )
    # The next CAB: its agenda holds every RfC awaiting the CAB, once it is built.
    cab = (
        CabMeeting.objects.filter(kind=CabMeeting.Kind.CAB, starts_at__gte=timezone.now())
        .order_by("starts_at")
        .first()
    )
    # The CAB with the longest agenda (the next one's, built when the dataset was): a
    # meeting's page at its heaviest, whatever the day the bench runs.
    longest = (
        CabMeeting.objects.annotate(items=Count("agenda")).order_by("-items", "-starts_at").first()
    )
    main = [
        "/",
        # the start page's parts, which htmx asks for once the page is shown (issue 17);
        # here without htmx's header, so each in the site's layout: a little more to make
        *(f"/start/{part}/" for part in START_PARTS),
        "/releases/",
        f"/releases/{release.identifier}/",
        # its record (activities, decisions, documents, communications, audit trail),
        # which htmx asks for once the page is shown (issue 17)
        f"/releases/{release.identifier}/record/",
        "/approvals/",
        "/messages/",
        "/api/v1/releases/",
        "/api/v1/rfcs/",
    ]
    # Under load: every page as the release manager, plus what a business thread sees
    # through its narrower visibility (and /approvals/, which is its page).
    load_thread = {"/", "/releases/", "/approvals/", "/api/v1/releases/", "/api/v1/rfcs/"}
    load_thread.add("/start/decisions/")  # the thread's part: the decisions it owes
    plan = [Page("anonymous", "/login/", None)]
    for persona, user in people.items():
        for path in main:
            under_load = persona == "release manager" or (
                persona == "thread A3/Cust" and path in load_thread
            )
            plan.append(Page(persona, path, user, under_load))
    code = release.application.code
    others = [
        ("release manager", "/releases/schedule/"),
        ("release manager", "/raci/"),
        ("release manager", "/raci/activities/"),
        ("release manager", "/raci/rm_raci.csv"),
        ("service desk", f"/applications/{release.application.code}/subscribers/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/audit/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/decisions/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/communications/"),
        ("release manager", "/api/v1/applications/"),
        ("release manager", "/api/v1/raci/parties/"),
        ("release manager", "/api/v1/raci/activities/"),
        ("release manager", f"/releases/{release.identifier}/activities/RM.4.1/"),
        ("thread A3/Cust", f"/releases/{release.identifier}/decisions/psat/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/transitions/"),
        ("release manager", "/api/v1/raci/people/?party=itsm-deployment-coordinator"),
        ("release manager", "/api/v1/raci/organisations/"),
        ("release manager", "/api/v1/auth/tokens/"),
        ("release manager", "/account/tokens/"),
        # The exports: the whole release list and the schedule, streamed; a thread's.
        ("release manager", "/releases/export/?format=csv"),
        ("thread A3/Cust", "/releases/export/?format=csv"),
        ("release manager", "/releases/schedule/export/?format=csv"),
        ("release manager", "/api/v1/releases/export/?format=csv"),
        # Release packages: the list, and a package's releases side by side.
        ("release manager", "/packages/"),
        ("thread A3/Cust", "/packages/"),
        # release types and policies (issue 12)
        ("release manager", "/policies/"),
        ("release manager", "/api/v1/policies/"),
        ("release manager", "/api/v1/raci/release-types/"),
        ("release manager", f"/api/v1/releases/{release.identifier}/path/"),
        # master data and what runs where (issue 13): an application's environments side
        # by side, one environment's timeline, the same through the API
        ("release manager", "/applications/"),
        ("release manager", f"/applications/{code}/"),
        ("thread A3/Cust", f"/applications/{code}/"),
        ("release manager", f"/applications/{code}/environments/production/"),
        ("thread A3/Cust", f"/applications/{code}/environments/production/"),
        ("release manager", f"/api/v1/applications/{code}/environments/"),
        ("release manager", f"/api/v1/applications/{code}/environments/production/history/"),
        # the DSL of an application with a hundred versions holding files (issue 13)
        ("configuration manager", f"/dsl/{LIBRARY_APPLICATION}/"),
        ("configuration manager", f"/dsl/{LIBRARY_APPLICATION}/?page=3"),
        ("release manager", f"/api/v1/dsl/{LIBRARY_APPLICATION}/versions/"),
    ]
    package = ReleasePackage.objects.order_by("id").first()
    if package is not None:
        others += [
            ("release manager", f"/packages/{package.pk}/"),
            ("release manager", f"/api/v1/packages/{package.pk}/"),
        ]
    if planning is not None:
        others.insert(1, ("release manager", f"/releases/{planning.identifier}/activities/RM.1.1/"))
    # Change management: the change manager's pages, and the list and an RfC page as a
    # business thread too, whose visibility is narrower.
    people["change manager"] = world.change_managers[0]
    others += [
        ("change manager", reverse("changes:start")),
        ("change manager", reverse("changes:rfcs")),
        ("thread A3/Cust", reverse("changes:rfcs")),
        ("change manager", reverse("changes:rfc", args=[rfc.reference])),
        ("thread A3/Cust", reverse("changes:rfc", args=[rfc.reference])),
        # its CAB record and history, which htmx asks for once the page is shown
        ("change manager", reverse("changes:rfc_record", args=[rfc.reference])),
        ("thread A3/Cust", reverse("changes:rfc_record", args=[rfc.reference])),
        ("change manager", reverse("changes:schedule")),
        ("change manager", reverse("changes:meeting", args=[cab.pk])),
        *[("change manager", reverse("changes:meeting", args=[longest.pk]))] * (longest != cab),
        # its agenda's conflicts, which htmx asks for once the page is shown
        ("change manager", reverse("changes:meeting_conflicts", args=[longest.pk])),
        ("change manager", "/api/v1/rfcs/"),
    ]
    # The calendar: this month's entries as its page asks for them (each layer on its
    # own) and as another client may (every layer at once), and the personal iCalendar
    # feed (read without a session, by its address).
    today = timezone.localdate()
    month = today.replace(day=1)
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    calendar = f"/api/v1/calendar/?start={month.isoformat()}&end={following.isoformat()}"
    # The KPIs of a year (issue 15): the page and its API, and a thread's own figures.
    year = f"?period={today.year}"
    others += [
        ("release manager", f"/kpis/{year}"),
        ("release manager", f"/api/v1/kpis/{year}"),
        ("thread A3/Cust", f"/kpis/{year}"),
        # the DORA keys and the flow of the process, the page's part loaded on its own
        ("release manager", f"/kpis/flow/{year}"),
        ("release manager", f"/api/v1/kpis/flow/{year}"),
        ("thread A3/Cust", f"/kpis/flow/{year}"),
        ("release manager", f"/kpis/flow/{year}&application=ccn"),
        # acting from the mail (issue 16): what a thread owes with its due dates, the
        # replies waiting for a hand, the deputies
        ("thread A3/Cust", "/api/v1/owed/"),
        ("release manager", "/replies/"),
        ("release manager", "/account/deputies/"),
    ]
    # The quarterly reviews of the KPIs (seed 002 section 6): the quarters, the last
    # completed one's page (its KPIs, lessons and open actions) and its API.
    reviewed = periods.quarter_of(today).previous().key
    others += [
        ("release manager", "/kpis/reviews/"),
        ("release manager", f"/kpis/reviews/{reviewed}/"),
        ("release manager", f"/api/v1/kpis/reviews/{reviewed}/"),
    ]
    # The inbox (issue 16): the unread, what needs the user's action, the API's first
    # page and the navigation's counts, over the release manager's many messages.
    others += [
        ("release manager", "/messages/?unread=yes"),
        ("release manager", "/messages/?needs_action=yes"),
        ("release manager", "/api/v1/messages/"),
        ("release manager", "/messages/counts/"),
        # asked on every page: a thread settles the decisions it owes to count them
        ("thread A3/Cust", "/messages/counts/"),
    ]
    others += [("release manager", "/calendar/")]
    # the page asks a month day by day (the first four of each kind a day, and how many
    # more); another client may ask every entry of every layer at once
    others += [
        (persona, f"{calendar}&layer={layer}&per_day=4" if layer else calendar)
        for persona in ("release manager", "thread A3/Cust")
        for layer in ("releases", "changes", "windows", None)
    ]
    # a day's list, as a busy day's "+N more" opens it: every entry of the day
    tomorrow = today + datetime.timedelta(days=1)
    day = f"/api/v1/calendar/?start={today.isoformat()}&end={tomorrow.isoformat()}"
    others += [("release manager", f"{day}&layer={layer}") for layer in ("releases", "changes")]
    # Configuration management: the configuration manager's tasks (RM.6.7), an open one
    # with its proposals and the CIs' history, and a closed release's configuration.
    people["configuration manager"] = world.members[Parties.CONFIGURATION_MANAGER][0]
    task = CITask.objects.filter(status=CITask.Status.OPEN).order_by("id").first()
    others += [
        ("configuration manager", "/cmdb/tasks/"),
        ("configuration manager", "/api/v1/cmdb/tasks/?status=open"),
    ]
    if task is not None:
        identifier = task.release.identifier
        others += [
            ("configuration manager", f"/cmdb/tasks/{task.pk}/"),
            ("configuration manager", f"/api/v1/cmdb/tasks/{task.pk}/"),
            ("release manager", f"/releases/{identifier}/configuration/"),
            ("release manager", f"/api/v1/releases/{identifier}/baseline/"),
        ]
    # An application's configuration items (paged) and one CI with its status history and
    # the production baselines that held it.
    item = (
        ConfigurationItem.objects.filter(kind=ConfigurationItem.Kind.COMPONENT)
        .order_by("-id")
        .first()
    )
    if item is not None:
        items = f"/applications/{item.application.code}/configuration-items/"
        others += [
            ("configuration manager", items),
            ("configuration manager", f"/cmdb/items/{item.pk}/"),
            ("thread A3/Cust", f"/cmdb/items/{item.pk}/"),
            ("configuration manager", f"/api/v1{items}"),
        ]
    # The satisfaction survey: a closed release's answers for the release manager, page
    # and API, and the form a thread's user still owes.
    owed = Survey.objects.filter(answered_at__isnull=True).select_related("release", "respondent")
    owed = owed.order_by("id").first()
    if owed is not None:
        identifier = owed.release.identifier
        people["survey respondent"] = owed.respondent
        others += [
            ("release manager", f"/releases/{identifier}/satisfaction/"),
            ("release manager", f"/api/v1/releases/{identifier}/satisfaction/"),
            ("survey respondent", f"/releases/{identifier}/satisfaction/answer/"),
        ]
    # Aftercare (issue 14): a release in hypercare, its page and section and the same
    # through the API, for the service desk that records its incidents and a thread.
    live = (
        Release.objects.filter(hypercare__closed_at__isnull=True, incidents__isnull=False)
        .order_by("id")
        .first()
    )
    if live is not None:
        others += [
            ("service desk", f"/releases/{live.identifier}/hypercare/"),
            ("release manager", f"/releases/{live.identifier}/hypercare/"),
            ("release manager", f"/api/v1/releases/{live.identifier}/hypercare/"),
        ]
        if visible_releases(people["thread A3/Cust"], Release.objects.filter(pk=live.pk)).exists():
            others.append(("thread A3/Cust", f"/releases/{live.identifier}/hypercare/"))
    reviewed = Release.objects.filter(post_release_review__isnull=False).order_by("id").first()
    if reviewed is not None:
        others += [
            ("release manager", f"/releases/{reviewed.identifier}/review/"),
            ("release manager", f"/api/v1/releases/{reviewed.identifier}/review/"),
        ]
    others += [
        ("release manager", "/lessons/"),
        ("release manager", "/lessons/?page=2"),
        ("thread A3/Cust", "/lessons/"),
        ("release manager", f"/lessons/?q=migration&application={code}"),
        ("release manager", "/api/v1/lessons/"),
    ]
    plan += [Page(persona, path, people[persona], True) for persona, path in others]
    for persona in ("release manager", "thread A3/Cust"):
        feed = feeds.feed_of(people[persona]) or feeds.regenerate(people[persona])
        path = f"/calendar/feed/{feeds.token_of(feed)}.ics"
        plan.append(Page(f"{persona} (feed)", path, None, True))
    # A long-lived deployment plan (the dataset's, with its revisions): its page for the
    # coordinator and a business thread, two revisions compared, the same through the API.
    living = Release.objects.filter(deployment_plan__revisions__isnull=False).order_by("id").first()
    if living is not None:
        coordinator = world.members[Parties.DEPLOYMENT_COORDINATOR][0]
        thread_user = people["thread A3/Cust"]
        base = f"/releases/{living.identifier}/deployment-plan/"
        api = f"/api/v1/releases/{living.identifier}/plan/"
        compared = f"compare/?from=1&to={PLAN_REVISIONS}"
        plan += [
            Page("deployment coordinator", base, coordinator, True),
            Page("deployment coordinator", base + compared, coordinator, True),
            Page("release manager", api, people["release manager"]),
            Page("release manager", api + "revisions/", people["release manager"]),
            Page("release manager", api + compared, people["release manager"]),
        ]
        if visible_releases(thread_user, Release.objects.filter(pk=living.pk)).exists():
            plan.append(Page("thread A3/Cust", base, thread_user))
    # Go-live readiness (issue 14): a release's Move2Run checklist and the release page's
    # readiness section, the same through the API; the process owner's templates.
    ready = f"/releases/{release.identifier}/"
    plan += [
        Page("release manager", ready + "checklist/", people["release manager"], True),
        Page("thread A3/Cust", ready + "checklist/", people["thread A3/Cust"]),
        Page("release manager", ready + "readiness/", people["release manager"]),
        Page("release manager", f"/api/v1{ready}checklist/", people["release manager"]),
        Page("release manager", "/checklist-templates/", people["release manager"]),
        # the runbook (printable too) and the Go/No-Go board with its input pack
        Page("release manager", ready + "runbook/", people["release manager"]),
        Page("release manager", ready + "runbook/print/", people["release manager"]),
        Page("thread A3/Cust", ready + "runbook/", people["thread A3/Cust"]),
        Page("release manager", ready + "board/", people["release manager"]),
        Page("release manager", f"/api/v1{ready}runbook/", people["release manager"]),
        Page("release manager", f"/api/v1{ready}boards/", people["release manager"]),
    ]
    return plan


def skipped(plan: list[Page], prefixes) -> tuple[list[Page], list[Page]]:
    """The pages to measure and those left out by ``--skip`` (path prefixes)."""
    prefixes = tuple(prefixes or ())
    if not prefixes:
        return plan, []
    left_out = [p for p in plan if p.path.startswith(prefixes)]
    return [p for p in plan if p not in left_out], left_out


def unexpected(rows: list[Row]) -> list[Row]:
    """The rows whose page did not answer what it must (200 but for the few noted)."""
    return [r for r in rows if r.status != r.expect]


def trivial(world) -> Page:
    """The trivial view of ``bench_urls``, as the release manager."""
    from bench_urls import TRIVIAL

    return Page("release manager", TRIVIAL, world.members[Parties.RELEASE_MANAGER][0], True)


def visible(world) -> dict[str, int]:
    """How many releases each persona may see."""
    return {
        persona: visible_releases(world.members[party][0]).count()
        for persona, party in PERSONAS.items()
    }


def fetch(client: Client, path: str):
    """GET ``path`` and read the whole body: a streamed export (CSV) writes its rows,
    and runs its queries, only as it is read."""
    response = client.get(path)
    response.body = b"".join(response.streaming_content) if response.streaming else response.content
    return response


def measure(client: Client, path: str, repeat: int) -> Row:
    """Two warm-up requests, one with its queries captured, then ``repeat`` timed ones.
    A page that does not answer 200 gets a row with its status and no figures."""
    start = time.perf_counter()
    status = fetch(client, path).status_code
    first = (time.perf_counter() - start) * 1000
    if status != 200:
        nan = float("nan")
        return Row("", path, status, 0, nan, nan, nan, 0.0, nan, "", [])
    fetch(client, path)
    with CaptureQueriesContext(connection) as ctx:
        response = fetch(client, path)
    captured = list(ctx.captured_queries)  # the next request resets connection.queries
    slowest = max(captured, key=lambda q: float(q["time"]))
    spent = [0.0]

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - start

    wall, db = [], []
    with connection.execute_wrapper(timed):
        for _ in range(repeat):
            spent[0] = 0.0
            start = time.perf_counter()
            fetch(client, path)
            wall.append(time.perf_counter() - start)
            db.append(spent[0])
    return Row(
        persona="",
        page=path,
        status=response.status_code,
        queries=len(captured),
        p50=statistics.median(wall) * 1000,
        p95=_p95(wall) * 1000,
        db_p50=statistics.median(db) * 1000,
        kb=len(response.body) / 1024,
        slowest_ms=float(slowest["time"]) * 1000,
        slowest_sql=slowest["sql"],
        sql=[(float(q["time"]) * 1000, q["sql"]) for q in captured],
        first=first,
    )


def run(plan: list[Page], repeat: int) -> list[Row]:
    # as a web worker runs (``releasemgmt.wsgi``): the collector settled once the app is
    # loaded, or one request in fifteen pays for a walk of every loaded object
    settle_collector()
    rows = []
    # what making each page costs: none is answered from the pages kept until the data
    # changes (releasemgmt.pagecache), which the load runs show; the parts kept until
    # their own rows change (KEPT_PARTS) are kept, as in production, unless
    # ``--no-kept-parts``
    with override_settings(KEPT_PAGES=frozenset()):
        for page in plan:
            rows.append(_measure_page(page, repeat))
    return rows


def _measure_page(page: Page, repeat: int) -> Row:
    # SERVER_NAME: a host ALLOWED_HOSTS accepts without setup_test_environment(),
    # whose template instrumentation would add its own cost to every render.
    client = Client(SERVER_NAME="localhost", raise_request_exception=False)
    if page.user is not None:
        client.force_login(page.user)
    row = measure(client, page.path, repeat)
    row.persona = page.persona
    row.expect = page.expect
    return row


def table(rows: list[Row], loads: dict | None = None) -> str:
    """One line per row; with ``loads`` ({(persona, page): load.Load}) also requests per
    second under load, those of the trivial view run right after, and their ratio. A p95
    over the budget is marked with !."""
    head = (
        f"{'persona':<15} {'page':<45} {'status':>6} {'queries':>7} "
        f"{'p50 ms':>7} {'p95 ms':>8} {'SQL p50':>7} {'KB':>6} {'slowest q':>9}"
    )
    if loads is not None:
        head += f" {'req/s':>7} {'trivial':>7} {'ratio':>6} {'load p50':>8} {'load p99':>8}"
    lines = [head, "-" * len(head)]
    for r in rows:
        over = "!" if r.p95 > BUDGET_MS else " "
        line = (
            f"{r.persona:<15} {_short(r.page, 45):<45} {r.status:>6} {r.queries:>7} "
            f"{r.p50:>7.1f} {r.p95:>7.1f}{over} {r.db_p50:>7.1f} {r.kb:>6.1f} {r.slowest_ms:>9.1f}"
        )
        if r.persona.endswith("(feed)"):
            line += f"  first {r.first:.0f} ms"
        load = (loads or {}).get((r.persona, r.page))
        if load is not None:
            reference = load.reference or float("nan")
            line += (
                f" {load.rps:>7.1f} {reference:>7.1f} {load.rps / reference:>6.2f} "
                f"{load.p50:>8.1f} {load.p99:>8.1f}"
            )
            if load.errors:
                line += f"  {load.errors} errors"
        lines.append(line)
    return "\n".join(lines)


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured query (PostgreSQL gives it with its parameters)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(line for (line,) in cursor.fetchall())


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]
