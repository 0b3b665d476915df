"""Time pages and API calls in-process with Django's test Client and count their queries."""

import statistics
import time
from dataclasses import dataclass

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from raci import services as raci
from raci.models import Party
from releases.models import Release, Stage

PERSONAS = {
    "release manager": raci.RELEASE_MANAGER,
    "thread A3/Cust": "DG TAXUD A3/Cust",
    "service desk": "ITSM Service Desk",
}


@dataclass
class Row:
    persona: str
    page: str
    status: int
    queries: int
    p50: float  # ms, whole request
    p95: float
    db_p50: float  # ms spent in SQL
    kb: float
    slowest_ms: float
    slowest_sql: str
    sql: list[tuple[float, str]]  # (ms, query) of the captured request


def pages(world) -> list[tuple[str, str, object]]:
    """(persona, path, user) for every measurement; user None is an anonymous client."""
    rm = world.members[raci.RELEASE_MANAGER][0]
    thread = Party.objects.get(name=PERSONAS["thread A3/Cust"])
    release = (
        Release.objects.filter(stage=Stage.ACCEPTANCE, assignments__user=rm)
        .filter(assignments__group=thread.group)
        .order_by("id")
        .first()
    )
    plan = [("anonymous", "/login/", None)]
    for persona, party in PERSONAS.items():
        user = world.members[party][0]
        for path in ("/", "/releases/", f"/releases/{release.identifier}/", "/api/v1/releases/"):
            plan.append((persona, path, user))
    return plan


def visible(world) -> dict[str, int]:
    """How many releases each persona may see."""
    return {
        persona: raci.visible_releases(world.members[party][0]).count()
        for persona, party in PERSONAS.items()
    }


def measure(client: Client, path: str, repeat: int) -> Row:
    """Two warm-up requests, one with its queries captured, then ``repeat`` timed ones.
    A page that does not answer 200 gets a row with its status and no figures."""
    status = client.get(path).status_code
    if status != 200:
        nan = float("nan")
        return Row("", path, status, 0, nan, nan, nan, 0.0, nan, "", [])
    client.get(path)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
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
            client.get(path)
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
        kb=len(response.content) / 1024,
        slowest_ms=float(slowest["time"]) * 1000,
        slowest_sql=slowest["sql"],
        sql=[(float(q["time"]) * 1000, q["sql"]) for q in captured],
    )


def run(world, repeat: int) -> list[Row]:
    rows = []
    for persona, path, user in pages(world):
        # SERVER_NAME: a host ALLOWED_HOSTS accepts without setup_test_environment(),
        # whose template instrumentation would add its own cost to every render.
        client = Client(SERVER_NAME="localhost", raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        row = measure(client, path, repeat)
        row.persona = persona
        rows.append(row)
    return rows


def table(rows: list[Row]) -> str:
    head = (
        f"{'persona':<16} {'page':<34} {'status':>6} {'queries':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'SQL p50':>8} {'KB':>6} {'slowest q ms':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r.persona:<16} {r.page:<34} {r.status:>6} {r.queries:>7} "
            f"{r.p50:>8.1f} {r.p95:>8.1f} {r.db_p50:>8.1f} {r.kb:>6.1f} {r.slowest_ms:>12.1f}"
        )
    return "\n".join(lines)


def explain(sql: str) -> str:
    """EXPLAIN ANALYZE of a captured query (PostgreSQL gives it with its parameters)."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(line for (line,) in cursor.fetchall())


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]
