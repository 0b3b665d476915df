"""Benchmark: build the dataset of DESIGN section 8 in bulk (10,000 releases, 50,000 RfCs,
500 users, 1,000,000 audit entries), first at 1,000 releases, then grown to 10,000; at
each size time every page and API list in-process (queries, p50/p95) and under
concurrent load through gunicorn and wrk (requests per second, and their ratio to a
trivial view served the same way in the same run).

Run through ``make bench`` (or ``bash bench/run.sh [options]``), which starts throwaway
PostgreSQL and Redis and migrates first. Prints figures; asserts nothing."""

import argparse
import dataclasses
import json
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
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        metavar="N",
        help="measure at each of these sizes, smallest first, growing the dataset between "
        "them, and compare the smallest with the largest (e.g. --sizes 10000 100000; "
        "overrides --releases and --scale)",
    )
    parser.add_argument(
        "--worst-case",
        action="store_true",
        help="keep the same share of releases in flight at every size (42%%), instead of "
        "growing past 10,000 releases as history",
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
        "--nodes",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="with --load: the release list's req/s through nginx on one node, then on two "
        "nodes of --workers each (default: on)",
    )
    parser.add_argument(
        "--kept",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="under load, answer the pages of KEPT_PAGES from the pages kept until the "
        "database changes, as in production (default: on; the in-process table always "
        "measures the making of each page)",
    )
    parser.add_argument(
        "--kept-parts",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="keep the parts of pages named in KEPT_PARTS until their rows change, as in "
        "production (default: on, in-process and under load; the release page's part and "
        "the API's release)",
    )
    parser.add_argument(
        "--explain",
        type=float,
        metavar="MS",
        help="print the slowest query of each page slower than MS, with EXPLAIN ANALYZE",
    )
    parser.add_argument(
        "--queries", action="store_true", help="list every page's queries (abbreviated)"
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="profile the pages measured under load with a sampling profiler and print where "
        "their time goes (SQL, ORM, templates, DRF, the product's own code)",
    )
    parser.add_argument(
        "--skip",
        action="append",
        metavar="PREFIX",
        help="leave out the pages whose path starts with PREFIX (repeatable), e.g. pages "
        "not built yet; any other page that does not answer 200 fails the run",
    )
    parser.add_argument(
        "--save",
        metavar="FILE",
        help="write each size's figures to FILE (JSON), for a later run on another dataset "
        "to be compared with (--against)",
    )
    parser.add_argument(
        "--against",
        metavar="FILE",
        help="compare with the figures a run saved (--save): two datasets kept apart, each "
        "measured on its own (10,000 and 100,000 releases), side by side",
    )
    args = parser.parse_args()

    sys.path[:0] = [str(ROOT), str(ROOT / "bench")]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    # read by bench_settings, in every worker too; set either way, so that a value left in
    # the environment never measures the other way than the options and the report say
    os.environ["BENCH_KEPT_PAGES"] = "1" if args.kept else "0"
    os.environ["BENCH_KEPT_PARTS"] = "1" if args.kept_parts else "0"
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
    print(
        f"{os.cpu_count()} cores, {_load_average()}; settings bench_settings; "
        + ("pages kept under load" if args.kept else "every page made under load")
        + ("; parts kept" if args.kept_parts else "; every part made")
    )

    start = time.perf_counter()
    world = dataset.World()
    print(f"users, applications, organisations, subscribers: {time.perf_counter() - start:.1f} s")
    steps = [1_000, args.releases] if args.scale and args.releases > 1_000 else [args.releases]
    if args.sizes:
        steps = sorted(set(args.sizes))
    results = {}
    for target in steps:
        built = dataset.grow(world, target, worst_case=args.worst_case)
        checked = dataset.verify_permissions()
        vacuumed = dataset.settle()
        sizes = dataset.counts()
        print()
        print(f"=== {sizes['releases']:,} releases (built in {built:.1f} s) ===")
        print(f"vacuumed and analysed in {vacuumed:.1f} s before any page is timed")
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
        plan, left_out = measure.skipped([trivial, *measure.pages(world)], args.skip)
        if left_out:
            print("left out (--skip): " + ", ".join(f"{p.path} ({p.persona})" for p in left_out))
        rows = measure.run(plan, args.repeat)
        failed = measure.unexpected(rows)
        if failed:
            # A missing or broken page answers fast: never report it as a figure.
            print()
            print(measure.table(rows))
            sys.exit(
                "\nFAILED, no figures: "
                + "; ".join(
                    f"{r.page} ({r.persona}) answered {r.status}, not {r.expect}" for r in failed
                )
                + ". Pages not built yet can be left out with --skip PREFIX."
            )
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
                f"connections for {args.seconds:g} s on loopback; ratio = req/s / req/s of the "
                "trivial view run right after (column trivial); load p50/p99 ms as wrk saw them"
            )
        print()
        print(measure.table(rows, loads if args.load else None))
        results[sizes["releases"]] = (rows, loads, trivial_rps)
        if args.queries:
            for row in rows:
                print(f"\n--- {row.persona} {row.page}: {row.queries} queries")
                for ms, sql in row.sql:
                    print(f"  {ms:5.0f} ms  " + (sql if len(sql) <= 140 else sql[:137] + "..."))
        if args.load and args.nodes:
            print_nodes(load, plan, args)
        if args.profile:
            print_profiles(plan, args.repeat)
        if args.explain is not None:
            for row in rows:
                if row.slowest_ms >= args.explain:
                    print(f"\n--- {row.persona} {row.page}: slowest query {row.slowest_ms:.1f} ms")
                    print(row.slowest_sql)
                    print(measure.explain(row.slowest_sql))
    if args.save:
        saved(results, args.save)
    if args.against:
        results = {**read_saved(args.against), **results}
    if len(results) > 1:
        print()
        print(compare(results))
    print(f"\n{_load_average()} at the end (other work on the machine skews every figure)")


#: the page the scale-out is measured on (issue 17: two nodes against one)
NODES_PAGE = "/releases/"


def print_nodes(load, plan, args) -> None:
    """The release list as the release manager through nginx: one node, then two nodes of
    the same size. Two nodes can only beat one where the machine has cores to spare and the
    database keeps up; the CPU count and load average are printed with it."""
    page = next((p for p in plan if p.path == NODES_PAGE and p.load), None)
    if page is None:
        print(f"\n{NODES_PAGE} left out (--skip): one node and two not compared")
        return
    cookie = load.session_cookie(page.user)
    rates = {}
    for nodes in (1, 2):
        with load.balanced(nodes, args.workers) as front:
            if front.status(page.path, cookie) != 200:
                raise RuntimeError(f"{page.path} through nginx did not answer 200")
            rates[nodes] = front.load(page.path, cookie, args.seconds, 2 * args.connections)
    one, two = rates[1], rates[2]
    print(
        f"\n{NODES_PAGE} ({page.persona}) through nginx, {2 * args.connections} connections, "
        f"{args.workers} workers a node, {os.cpu_count()} cores, {_load_average()}:\n"
        f"  one node  {one.rps:7.1f} req/s  p50 {one.p50:6.1f} ms  p99 {one.p99:6.1f} ms"
        f"  errors {one.errors}\n"
        f"  two nodes {two.rps:7.1f} req/s  p50 {two.p50:6.1f} ms  p99 {two.p99:6.1f} ms"
        f"  errors {two.errors}\n"
        f"  two nodes / one: {two.rps / one.rps:.2f}"
    )


def print_profiles(plan, repeat: int) -> None:
    """The sampling profile of each page measured under load (the main pages): the share
    of each kind of work, and the product's functions that take the most (ms a request,
    their callees included)."""
    import sampling

    print(f"\nwhere the time goes ({repeat} requests per page, sampled every 0.5 ms):")
    for page in plan:
        if page.load:
            found = sampling.profile(page.user, page.path, repeat)
            print(f"{page.persona:<15} {page.path[:45]:<45} {found.ms:6.1f} ms  {found.summary()}")


def _load_average() -> str:
    return "load average {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())


#: wrk run of the trivial view after each page
REFERENCE_SECONDS = 2


def run_load(load, plan, trivial, args):
    """Every page marked for load, each followed by a shorter run of the trivial view: the
    page's ratio is to that run, so that other work on the machine, which comes and goes,
    weighs on both sides alike. The trivial view's own row has the mean of those runs."""
    cookies = {}
    loads = {}
    references = []
    key = (trivial.persona, trivial.path)
    with load.Server(args.workers) as server:
        for page in [trivial, *(p for p in plan if p.load and p is not trivial)]:
            for user_page in (page, trivial):
                if user_page.persona not in cookies:
                    cookies[user_page.persona] = load.session_cookie(user_page.user)
            status = server.status(page.path, cookies[page.persona])
            if status != 200:
                loads[(page.persona, page.path)] = load.Load(0.0, 0, 0.0, 0.0, status)
                print(f"under load: {page.path} answers {status}, skipped")
                continue
            if page is trivial:  # warm-up of the reference itself
                server.load(trivial.path, cookies[trivial.persona], 1, args.connections)
                continue
            result = server.load(page.path, cookies[page.persona], args.seconds, args.connections)
            # The workers finish what wrk left queued when it stopped (up to one request per
            # connection): let them drain, or the slowest pages would lower their reference.
            time.sleep(min(10.0, 2 * result.p99 / 1000))
            reference = server.load(
                trivial.path,
                cookies[trivial.persona],
                REFERENCE_SECONDS,
                args.connections,
                warm_up=False,
            )
            result.reference = reference.rps
            references.append(reference)
            loads[(page.persona, page.path)] = result
    if not references:
        raise RuntimeError(f"no page measured under load: {loads}")
    mean = load.Load(
        rps=sum(r.rps for r in references) / len(references),
        requests=sum(r.requests for r in references),
        p50=sorted(r.p50 for r in references)[len(references) // 2],
        p99=max(r.p99 for r in references),
        errors=sum(r.errors for r in references),
    )
    mean.reference = mean.rps
    loads[key] = mean
    rates = sorted(r.rps for r in references)
    print(
        f"trivial view: {mean.rps:.1f} req/s on average over {len(rates)} runs, "
        f"from {rates[0]:.1f} to {rates[-1]:.1f}"
    )
    return loads, mean.rps


def saved(results, path: str) -> None:
    """Each size's figures, in-process and under load, as JSON (``read_saved``)."""
    figures = {
        size: {
            "rows": [dataclasses.asdict(row) for row in rows],
            "loads": [
                {"persona": persona, "page": page, **dataclasses.asdict(load)}
                for (persona, page), load in loads.items()
            ],
            "trivial_rps": trivial_rps,
        }
        for size, (rows, loads, trivial_rps) in results.items()
    }
    Path(path).write_text(json.dumps(figures, indent=1))


def read_saved(path: str) -> dict:
    """The figures ``saved`` wrote, as ``main`` holds them."""
    import load
    import measure

    results = {}
    for size, figures in json.loads(Path(path).read_text()).items():
        rows = [
            measure.Row(**{**row, "sql": [tuple(query) for query in row["sql"]]})
            for row in figures["rows"]
        ]
        loads = {
            (kept.pop("persona"), kept.pop("page")): load.Load(**kept) for kept in figures["loads"]
        }
        results[int(size)] = (rows, loads, figures["trivial_rps"])
    return results


def compare(results) -> str:
    """How each row changes from the smallest to the largest dataset (! after the queries:
    their number changed; after the p95: over the budget)."""
    import measure

    (small, (rows_a, loads_a, _)), (big, (rows_b, loads_b, _)) = (
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
            ratios = f"{la.rps / la.reference:.2f} -> {lb.rps / lb.reference:.2f}"
            line += f" {la.rps:>6.1f} -> {lb.rps:>5.1f} {ratios:>12}"
        lines.append(line)
    return "\n".join(lines)


if __name__ == "__main__":
    main()
