"""Benchmark: build the dataset of DESIGN section 8 in bulk (10,000 releases, 50,000 RfCs,
500 users, 1,000,000 audit entries), first at 1,000 releases, then grown to 10,000; at
each size time every page and API list in-process (queries, p50/p95) and under
concurrent load through gunicorn and wrk (requests per second, and their ratio to a
trivial view served the same way in the same run).

Run through ``make bench`` (or ``bash bench/run.sh [options]``), which starts throwaway
PostgreSQL and Redis and migrates first. Prints figures; asserts nothing."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--releases", type=int, default=10_000, help="releases to build")
    parser.add_argument(
        "--scale",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="measure at 1,000 releases first, then grow (default: on)",
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
    parser.add_argument(
        "--load",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="requests per second through gunicorn and wrk (default: on)",
    )
    parser.add_argument("--seconds", type=float, default=5, help="wrk run per page")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--explain",
        type=float,
        metavar="MS",
        help="print the slowest query of each page slower than MS, with EXPLAIN ANALYZE",
    )
    parser.add_argument(
        "--queries", action="store_true", help="list every page's queries (abbreviated)"
    )
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    import dataset
    import load
    import measure
    from django.conf import settings

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['HOST']}:{db['PORT']}/{db['NAME']}")
    if "postgresql" not in db["ENGINE"]:
        sys.exit("PostgreSQL needed (COPY); run through bench/run.sh")
    if args.load and not load.available():
        sys.exit("wrk not found; bench/run.sh installs it, or pass --no-load")
    print(f"{os.cpu_count()} cores, {_load_average()}; settings bench_settings")

    start = time.perf_counter()
    world = dataset.World()
    print(f"users, applications, organisations, subscribers: {time.perf_counter() - start:.1f} s")
    steps = [1_000, args.releases] if args.scale and args.releases > 1_000 else [args.releases]
    results = {}
    for target in steps:
        built = dataset.grow(world, target)
        checked = dataset.verify_permissions()
        sizes = dataset.counts()
        print()
        print(f"=== {sizes['releases']:,} releases (built in {built:.1f} s) ===")
        print(
            "build: "
            + ", ".join(f"{name} {s:.1f} s" for name, s in dataset.PHASES.items())
            + f", Python {built - sum(dataset.PHASES.values()):.1f} s"
        )
        print(", ".join(f"{n:,} {what}" for what, n in sizes.items()))
        print(f"guardian rows identical to sync_release_permissions on {checked} sampled releases")
        seen = measure.visible(world)
        print("visible releases: " + ", ".join(f"{p} {n:,}" for p, n in seen.items()))

        trivial = measure.trivial(world)
        plan = [trivial, *measure.pages(world)]
        rows = measure.run(plan, args.repeat)
        loads, trivial_rps = {}, None
        if args.load:
            loads, trivial_rps = run_load(load, plan, trivial, args)
        print(
            f"\n{args.repeat} timed requests per row in-process (test Client); p95 over "
            f"{measure.BUDGET_MS} ms marked !"
        )
        if args.load:
            print(
                f"req/s: gunicorn {args.workers} sync workers, wrk {args.connections} "
                f"connections for {args.seconds:g} s on loopback; ratio = req/s / trivial "
                f"view's {trivial_rps:.1f} req/s; load p50/p99 ms as wrk saw them"
            )
        print()
        print(measure.table(rows, loads if args.load else None, trivial_rps))
        results[sizes["releases"]] = (rows, loads, trivial_rps)
        if args.queries:
            for row in rows:
                print(f"\n--- {row.persona} {row.page}: {row.queries} queries")
                for ms, sql in row.sql:
                    print(f"  {ms:5.0f} ms  " + (sql if len(sql) <= 140 else sql[:137] + "..."))
        if args.explain is not None:
            for row in rows:
                if row.slowest_ms >= args.explain:
                    print(f"\n--- {row.persona} {row.page}: slowest query {row.slowest_ms:.1f} ms")
                    print(row.slowest_sql)
                    print(measure.explain(row.slowest_sql))
    if len(results) > 1:
        print()
        print(compare(results))
    print(f"\n{_load_average()} at the end (other work on the machine skews every figure)")


def _load_average() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


def run_load(load, plan, trivial, args):
    """Every page marked for load, between two runs of the trivial view (their mean is
    the reference; both are printed, so that drift shows)."""
    cookies = {}
    loads = {}
    with load.Server(args.workers) as server:
        todo = [page for page in plan if page.load and page is not trivial]
        for page in [trivial, *todo, trivial]:
            if page.persona not in cookies:
                cookies[page.persona] = load.session_cookie(page.user)
            cookie = cookies[page.persona]
            status = server.status(page.path, cookie)
            if status != 200:
                loads[(page.persona, page.path)] = load.Load(0.0, 0, 0.0, 0.0, status)
                print(f"under load: {page.path} answers {status}, skipped")
                continue
            result = server.load(page.path, cookie, args.seconds, args.connections)
            if page is trivial and (page.persona, page.path) in loads:
                first = loads[(page.persona, page.path)]
                print(
                    f"trivial view: {first.rps:.1f} req/s before the pages, {result.rps:.1f} after"
                )
                result.rps = (first.rps + result.rps) / 2
            loads[(page.persona, page.path)] = result
    return loads, loads[(trivial.persona, trivial.path)].rps


def compare(results) -> str:
    """How each row changes from the smallest to the largest dataset (! after the queries:
    their number changed; after the p95: over the budget)."""
    import measure

    (small, (rows_a, loads_a, ref_a)), (big, (rows_b, loads_b, ref_b)) = (
        min(results.items()),
        max(results.items()),
    )
    before = {(r.persona, r.page): r for r in rows_a}
    head = (
        f"{'from ' + format(small, ',') + ' to ' + format(big, ',') + ' releases':<61} "
        f"{'queries':>9} {'p95 ms':>16} {'req/s':>15} {'ratio':>12}"
    )
    lines = [head, "-" * len(head)]
    for r in rows_b:
        a = before.get((r.persona, r.page))
        if a is None:
            continue
        queries = f"{a.queries}->{r.queries}" + ("!" if r.queries != a.queries else "")
        over = "!" if r.p95 > measure.BUDGET_MS else " "
        line = (
            f"{r.persona:<15} {r.page[:45]:<45} {queries:>9} {a.p95:>6.1f} -> {r.p95:>5.1f}{over}"
        )
        la, lb = loads_a.get((a.persona, a.page)), loads_b.get((r.persona, r.page))
        if la and lb and la.rps and lb.rps:
            ratios = f"{la.rps / ref_a:.2f} -> {lb.rps / ref_b:.2f}"
            line += f" {la.rps:>6.1f} -> {lb.rps:>5.1f} {ratios:>12}"
        lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
