"""Benchmark: build N releases in bulk, then time the release pages and API per persona.

Run through ``make bench`` (or ``bash bench/run.sh [options]``), which starts throwaway
PostgreSQL and Redis and migrates first. Prints figures; asserts nothing."""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--releases", type=int, default=10_000, help="releases to build")
    parser.add_argument(
        "--scale", action="store_true", help="measure at 1,000 releases first, then grow"
    )
    parser.add_argument("--repeat", type=int, default=50, help="timed requests per page")
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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "releasemgmt.settings.test")
    import django

    django.setup()
    import dataset
    import measure
    from django.conf import settings

    db = settings.DATABASES["default"]
    print(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db['HOST']}:{db['PORT']}/{db['NAME']}")
    if "postgresql" not in db["ENGINE"]:
        print("warning: not PostgreSQL; run through bench/run.sh for meaningful figures")

    start = time.perf_counter()
    world = dataset.World()
    print(f"users, applications, organisations: {time.perf_counter() - start:.1f} s")
    steps = [1_000, args.releases] if args.scale and args.releases > 1_000 else [args.releases]
    for target in steps:
        built = dataset.grow(world, target)
        checked = dataset.verify_permissions()
        sizes = dataset.counts()
        print()
        print(f"=== {sizes['releases']:,} releases (built in {built:.1f} s) ===")
        print(", ".join(f"{n:,} {what}" for what, n in sizes.items()))
        print(f"guardian rows identical to sync_release_permissions on {checked} sampled releases")
        seen = measure.visible(world)
        print("visible releases: " + ", ".join(f"{p} {n:,}" for p, n in seen.items()))
        print(f"{args.repeat} timed requests per row, in-process test Client:\n")
        rows = measure.run(world, args.repeat)
        print(measure.table(rows))
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


if __name__ == "__main__":
    main()
