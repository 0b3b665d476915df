"""Each KPI of seed 002 section 5.3, worked out by hand from its formula over a known set
of releases (one rolled back then re-authorised, one gone live late), through the API and
the page; every figure's release list counts what the figure counts."""

import datetime
import importlib
import random
from collections import Counter

import pytest
from django.apps import apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deployments.models import InstallationReport
from kpis import facts
from kpis import flow as kpis_flow
from releases.models import Release, StageChange

from .history import History

pytestmark = pytest.mark.django_db


def report(cast, user, query):
    return cast.ok(cast.client(user).get("/api/v1/kpis/", query))


def flow(cast, user, query):
    """The DORA keys and the flow of the process, the KPI page's part loaded on its own."""
    return cast.ok(cast.client(user).get("/api/v1/kpis/flow/", query))


def web(user):
    client = Client()
    client.force_login(user)
    return client


def by_slug(items):
    return {item["slug"]: item for item in items}


def listed(cast, user, link):
    """How many releases the release list behind a figure shows (its API twin)."""
    query = link.split("?", 1)[1]
    return cast.ok(cast.client(user).get(f"/api/v1/releases/?{query}"))["count"]


def test_each_kpi_is_its_seed_formula_over_the_hand_built_releases(cast, history: History):
    kpis = by_slug(report(cast, cast.rm, history.query())["kpis"])
    # the releases of the period: planned in it, cancelled aside
    total = 5  # late, rolled, overlap_a, overlap_b, alone
    assert kpis["total"]["value"] == total
    assert (kpis["major"]["numerator"], kpis["major"]["value"]) == (1, 100 * 1 / total)
    assert (kpis["minor"]["numerator"], kpis["minor"]["value"]) == (4, 100 * 4 / total)
    # overlap_a and overlap_b install the same day; alone meets only a cancelled release
    assert (kpis["overlapping"]["numerator"], kpis["overlapping"]["value"]) == (2, 40.0)
    # rolled back once, then re-authorised and installed: it still required a rollback
    assert (kpis["rollback"]["numerator"], kpis["rollback"]["value"]) == (1, 20.0)
    # two went live (late, rolled); late went live after its RM.1.4 baseline day
    late = kpis["late"]
    assert (late["numerator"], late["denominator"], late["value"]) == (1, 2, 50.0)
    # nothing recorded after go-live yet (tests/kpis/test_kpis_after_go_live.py records it)
    for slug in ("major-incidents", "successful", "review-coverage", "lessons"):
        assert (kpis[slug]["numerator"], kpis[slug]["value"]) == (0, 0.0), slug
    assert (kpis["satisfaction"]["value"], kpis["satisfaction"]["denominator"]) == (None, 0)


def test_a_rollback_is_counted_from_the_stage_history_not_the_flag(cast, history):
    rolled = history.rolled
    assert rolled.stage == "installation"
    assert rolled.rollback_plan_used is False  # reset by the re-authorisation
    moves = list(rolled.stage_changes.values_list("transition", flat=True))
    assert moves.count("roll_back") == 1
    assert "reauthorise" in moves
    kpis = by_slug(report(cast, cast.rm, history.query())["kpis"])
    assert listed(cast, cast.rm, kpis["rollback"]["link"]) == 1


def test_every_figure_opens_the_releases_it_counts(cast, history):
    body = report(cast, cast.rm, history.query())
    for kpi in body["kpis"]:
        if kpi["slug"] == "satisfaction":
            continue  # an average score: its list is the releases answered about
        if kpi["recorded"]:
            assert listed(cast, cast.rm, kpi["link"]) == kpi["numerator"], kpi["slug"]
            if kpi["percent"]:
                assert listed(cast, cast.rm, kpi["base_link"]) == kpi["denominator"], kpi["slug"]
    dora = by_slug(flow(cast, cast.rm, history.query())["dora"])
    assert listed(cast, cast.rm, dora["deployments"]["link"]) == 2
    assert listed(cast, cast.rm, dora["failed-installations"]["link"]) == 1
    page = web(cast.rm).get(by_slug(body["kpis"])["late"]["link"])
    assert history.late.identifier in page.content.decode()
    assert history.rolled.identifier not in page.content.decode()


def test_the_previous_period_is_counted_too(cast, history):
    # the quarter of the late release, and the one before it (none of ours)
    quarter = (history.late.planned_installation_date.month - 1) // 3 + 1
    body = report(
        cast, cast.rm, {"period": f"{history.late.planned_installation_date.year}-Q{quarter}"}
    )
    kpis = by_slug(body["kpis"])
    assert kpis["total"]["value"] >= 1
    assert kpis["total"]["previous"]["value"] == 0
    assert kpis["late"]["previous"]["value"] is None  # nothing went live: no ratio
    assert len(body["trend"]) == 8
    assert body["trend"][-1]["types"]["major"] == 1


def test_the_dora_keys_from_their_definitions(cast, history):
    rollback = StageChange.objects.get(release=history.rolled, transition="roll_back")
    InstallationReport.objects.filter(release=history.rolled, successful=False).update(
        uploaded_at=rollback.at - datetime.timedelta(hours=3)
    )
    facts.recount()  # a record changed in the database, as the nightly recount finds it
    dora = by_slug(flow(cast, cast.rm, history.query())["dora"])
    days = (history.end - history.start).days + 1
    assert dora["deployments"]["numerator"] == 2
    assert dora["deployments"]["value"] == round(2 * 7 / days, 2)
    # lead time: from the RfC's authorisation to RM.6.5, about 10 and 20 days
    lead = sorted(
        (r.activity_records.get(activity__code="RM.6.5").performed_at - authorised)
        / datetime.timedelta(hours=1)
        for r, authorised in (
            (history.late, history.rfc_authorised[history.late.pk]),
            (history.rolled, history.rfc_authorised[history.rolled.pk]),
        )
    )
    assert dora["lead-time"]["value"] == pytest.approx((lead[0] + lead[1]) / 2, abs=0.1)
    assert dora["lead-time"]["p85"] == pytest.approx(lead[0] + 0.85 * (lead[1] - lead[0]), abs=0.1)
    # one installation rolled back of three tried
    failure = dora["failed-installations"]
    assert (failure["numerator"], failure["denominator"], failure["value"]) == (1, 3, 33.3)
    assert dora["restore"]["value"] == pytest.approx(3.0, abs=0.05)


def test_stage_times_are_the_median_and_85th_percentile_of_the_stays(cast, history):
    stays = StageChange.objects.filter(from_stage="planning").order_by("id")
    assert stays.count() == 3  # late, rolled and the cancelled one left the planning
    for hours, stay in zip((10, 20, 40), stays, strict=True):
        StageChange.objects.filter(pk=stay.pk).update(
            entered_from_at=stay.at - datetime.timedelta(hours=hours)
        )
    facts.recount()  # records changed in the database, as the nightly recount finds them
    stages = {s["stage"]: s for s in flow(cast, cast.rm, history.query())["stages"]}
    assert stages["planning"]["n"] == 3
    assert stages["planning"]["median"] == pytest.approx(20.0, abs=0.05)
    assert stages["planning"]["p85"] == pytest.approx(20 + 0.7 * 20, abs=0.05)
    assert stages["installation"]["n"] == 1  # the rollback left the installation once


def test_who_the_process_waits_for_and_the_cumulative_flow(cast, history):
    body = flow(cast, cast.rm, history.query())
    threads = {t["party"]: t for t in body["threads"]}
    assert set(threads) == {"DG TAXUD A3/Cust"}
    assert threads["DG TAXUD A3/Cust"]["n"] == history.late.decisions.count() + (
        history.rolled.decisions.count()
    )
    parties = {p["party"]: p for p in body["parties"]}
    assert parties["ITSM Deployment Coordinator"]["n"] > 0
    assert parties["ITSM Release Manager"]["n"] > 0
    now = body["cumulative"][-1]  # the months ahead carry the counts so far
    assert now["planning"] == 6  # every release formalised
    assert now["installation"] == 3  # late once, rolled twice (re-authorised)


def _close(estimated, exact) -> bool:
    """An estimated length within the stated error of the exact one (both rounded to a
    tenth of an hour)."""
    if exact is None:
        return estimated is None
    return abs(estimated - exact) <= exact * kpis_flow.RELATIVE_ERROR + 0.05


@pytest.mark.parametrize("whole_quarter", [False, True])
def test_beyond_the_exact_limit_the_flow_is_read_from_the_histograms_within_the_error(
    cast, history, monkeypatch, whole_quarter
):
    stays = StageChange.objects.filter(from_stage="planning").order_by("id")
    for hours, stay in zip((10, 20, 40), stays, strict=True):
        StageChange.objects.filter(pk=stay.pk).update(
            entered_from_at=stay.at - datetime.timedelta(hours=hours)
        )
    facts.recount()
    today = timezone.localdate()
    query = (
        {"period": f"{today.year}-Q{(today.month - 1) // 3 + 1}"}
        if whole_quarter
        else (history.query())
    )
    application = Release.objects.values_list("application__code", flat=True).first()
    readers = (  # every release; a thread's own; one application's; one type's
        (cast.rm, {}),
        (cast.cust, {}),
        (cast.rm, {"application": application}),
        (cast.rm, {"release_type": "minor"}),
    )
    exact = [flow(cast, reader, query | extra) for reader, extra in readers]
    monkeypatch.setattr(kpis_flow, "EXACT_UP_TO", 0)
    for (reader, extra), want in zip(readers, exact, strict=True):
        assert_within_the_error(flow(cast, reader, query | extra), want)
    # the thread's own figures are the staff's sliced by that thread
    own, sliced = flow(cast, cast.cust, query), flow(cast, cast.rm, query | {"thread": "a3-cust"})
    for section in ("stages", "threads", "parties", "cumulative"):
        assert own[section] == sliced[section]
    assert [{**k, "link": ""} for k in own["dora"]] == [{**k, "link": ""} for k in sliced["dora"]]


def assert_within_the_error(estimated, exact):
    assert exact["estimated_within"] is None
    assert estimated["estimated_within"] == 4.4  # said on the page and in the API
    assert estimated["cumulative"] == exact["cumulative"]
    for section in ("stages", "threads", "parties"):
        assert [r["n"] for r in estimated[section]] == [r["n"] for r in exact[section]]
        for got, want in zip(estimated[section], exact[section], strict=True):
            assert _close(got["median"], want["median"]), (section, got, want)
            assert _close(got["p85"], want["p85"]), (section, got, want)
    for got, want in zip(estimated["dora"], exact["dora"], strict=True):
        assert got["numerator"] == want["numerator"]
        assert got["previous"]["numerator"] == want["previous"]["numerator"]
        if got["unit"].startswith("hours"):
            assert _close(got["value"], want["value"])
            assert _close(got["p85"], want["p85"])
        else:
            assert got["value"] == want["value"]


def test_the_histogram_estimate_of_many_lengths_is_within_the_stated_error():
    rng = random.Random(15)
    lengths = [rng.lognormvariate(11, 1.5) for _ in range(20_000)]  # seconds: hours to weeks
    buckets = Counter(kpis_flow.bucket_of(v) for v in lengths)
    for fraction in (0.5, 0.85, 0.99):
        exact = kpis_flow.percentile(lengths, fraction)
        assert abs(kpis_flow.estimate(buckets, fraction) - exact) <= (
            exact * kpis_flow.RELATIVE_ERROR
        )


def test_a_business_thread_sees_the_figures_of_its_own_releases_only(cast, make_release):
    today = timezone.localdate()
    make_release(
        threads=["a3-cust"],
        planned_installation_date=today + datetime.timedelta(days=30),
        planned_delivery_date=today,
    )
    make_release(
        threads=["a4-cpt"],
        planned_installation_date=today + datetime.timedelta(days=31),
        planned_delivery_date=today,
    )
    query = {
        "period": "custom",
        "start": today.isoformat(),
        "end": (today + datetime.timedelta(days=60)).isoformat(),
    }
    assert by_slug(report(cast, cast.rm, query)["kpis"])["total"]["value"] == 2
    mine = report(cast, cast.cust, query)
    assert by_slug(mine["kpis"])["total"]["value"] == 1
    other = report(cast, cast.cust, query | {"thread": "a4-cpt"})
    assert by_slug(other["kpis"])["total"]["value"] == 0
    page = web(cast.cust).get("/kpis/", query)
    assert page.status_code == 200
    assert 'data-kpi="total"' in page.content.decode()


def test_the_page_and_its_api_cost_the_same_queries_for_few_or_many(cast, make_release):
    today = timezone.localdate()
    query = {"period": str(today.year)}

    client = web(cast.rm)

    def cost(path):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path, query).status_code == 200
        return len(queries)

    pages = ("/kpis/", "/api/v1/kpis/", "/kpis/flow/", "/api/v1/kpis/flow/")
    make_release()
    few = [cost(path) for path in pages]
    for _ in range(6):
        make_release()
    assert [cost(path) for path in pages] == few
    assert few[0] <= 12  # the KPIs and their trend: two queries over the release facts


def test_a_bad_period_is_named_and_the_input_kept(cast, db):
    page = web(cast.rm).get("/kpis/", {"period": "2026-Q5"})
    assert page.status_code == 400
    assert "Write a quarter" in page.content.decode()
    assert 'value="2026-Q5"' in page.content.decode()
    response = cast.client(cast.rm).get(
        "/api/v1/kpis/", {"period": "custom", "start": "2026-01-01"}
    )
    assert response.status_code == 400
    assert "end" in response.json()


@pytest.mark.parametrize(
    "table", ["kpis", "trend", "types", "dora", "stages", "threads", "parties", "cumulative"]
)
def test_every_table_is_given_as_csv(cast, make_release, table):
    make_release()
    response = web(cast.rm).get("/kpis/export/", {"table": table, "period": "2027"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0].startswith("\ufeff")  # a header, then a row per line of the table
    assert len(lines) == 1 + {"kpis": 11, "trend": 8, "types": 8, "stages": 7, "dora": 4}.get(
        table, len(lines) - 1
    )


def test_the_stage_history_of_older_releases_is_rebuilt_from_the_audit_log(cast, history):
    kept = list(
        StageChange.objects.order_by("release_id", "at", "id").values_list(
            "release_id", "transition", "from_stage", "to_stage", "at", "entered_from_at"
        )
    )
    StageChange.objects.all().delete()
    migration = importlib.import_module("releases.migrations.0011_stage_history")
    migration.backfill(apps, None)
    rebuilt = list(
        StageChange.objects.order_by("release_id", "at", "id").values_list(
            "release_id", "transition", "from_stage", "to_stage", "at", "entered_from_at"
        )
    )
    assert len(rebuilt) == len(kept)
    assert rebuilt == kept  # each move's moment is its audit entry's
    assert (
        Release.objects.get(pk=history.rolled.pk)
        .stage_changes.filter(transition="roll_back")
        .exists()
    )


def test_figures_added_up_from_the_quarters_are_those_counted_over_the_period(cast, history):
    """A quarter, a semester and a year, with the one before each, are read from the
    trend's counts per quarter; a period that is not whole quarters is counted on its
    own. Both ways give the same figures (issue 17)."""
    from kpis import definitions, periods

    day = history.late.planned_installation_date
    asked = [
        periods.quarter_of(day),
        periods.semester_of(day),
        periods.year_of(day.year),
        periods.year_of(day.year + 1),
        periods.Period("custom", history.start, history.end),
        periods.Period("custom", periods.quarter_of(day).start, periods.semester_of(day).end),
    ]
    unaligned = asked[4]  # 401 days: never whole quarters
    added_up = []
    for period in asked:
        quarters = periods.last_quarters(period)
        found = definitions.quarterly(None, quarters)
        quick = definitions.figures_of_quarters(found, quarters, period, period.previous())
        counted = definitions.figures(None, period, period.previous())
        if quick is not None:
            added_up.append(period.kind)
            assert quick == counted, period
        elif period == unaligned:
            added_up.append("counted on its own")
    assert added_up[:5] == ["quarter", "semester", "year", "year", "counted on its own"]
    year = by_slug(definitions.figures(None, asked[2], asked[2].previous()))
    assert year["total"]["value"] >= 1  # the figures compared are not all nought


def _without_noughts(found: dict) -> dict:
    return {
        quarter: {k: v for k, v in row.items() if v and k != "quarter"}
        for quarter, row in found.items()
        if any(v for k, v in row.items() if k != "quarter")
    }


def test_each_cut_of_the_monthly_counts_holds_what_the_facts_of_its_releases_count(
    cast, history, make_release, release_manager, coordinator, organisation
):
    """The KPI page adds up the monthly counts of one cut (every release, a thread's, an
    application's, a type's) instead of counting the facts of each release. After a
    thread is added to a release and a release is retyped and re-planned into another
    quarter, every cut still gives, quarter by quarter, what the facts of its releases
    give (issue 17)."""
    from kpis import definitions, fact_counts, periods
    from kpis.flow import Cut
    from raci.models import Party
    from releases import services
    from releases.models import Application, ReleaseType

    cust, cpt = Party.objects.get(slug="a3-cust"), Party.objects.get(slug="a4-cpt")
    release = make_release(threads=["a3-cust"])
    services.assign_roles(
        release,
        by=release_manager,
        deployment_coordinator=coordinator,
        business_threads=[cust, cpt],
        developers=organisation,
    )
    url = f"/api/v1/releases/{history.rolled.identifier}/"
    later = history.rolled.planned_installation_date + datetime.timedelta(days=120)
    change = {"release_type": "major", "planned_installation_date": later.isoformat()}
    cast.ok(cast.client(cast.rm).patch(url, change, format="json"))

    assert periods.quarter_of(later) != periods.quarter_of(history.rolled.planned_installation_date)
    # every quarter from the history's first to the last release made above
    last = max(history.end, later, release.planned_installation_date)
    quarters = periods.last_quarters(periods.quarter_of(last), 16)
    assert quarters[0].start <= history.start
    releases = Release.objects.all()
    cuts = [(Cut(), None)]
    cuts += [(Cut(thread=p.pk), releases.filter(assignments__party=p)) for p in (cust, cpt)]
    cuts += [
        (Cut(application=a.pk), releases.filter(application=a)) for a in Application.objects.all()
    ]
    cuts += [(Cut(release_type=t), releases.filter(release_type=t)) for t in ReleaseType.values]
    for cut, scope in cuts:
        scope = None if scope is None else scope.values("pk")
        kept = _without_noughts(fact_counts.quarterly(cut, quarters))
        assert kept == _without_noughts(definitions.quarterly(scope, quarters)), cut
    every = _without_noughts(fact_counts.quarterly(Cut(), quarters))
    assert sum(row.get("total", 0) for row in every.values()) >= 5  # not all nought
    assert (
        sum(
            row.get("total", 0)
            for row in _without_noughts(
                fact_counts.quarterly(Cut(thread=cpt.pk), quarters)
            ).values()
        )
        == 1
    )
    assert facts.differences() == []


def test_a_unit_of_work_has_the_facts_worked_out_once_at_its_end(cast, make_release):
    """Inside ``releasemgmt.units.unit_of_work`` (performing an activity, the demo's
    walks) the releases the events touch get their facts when the outermost unit ends,
    the same as a recount gives; a unit that fails leaves neither its writes nor their
    facts."""
    from kpis.models import ReleaseFacts
    from releasemgmt.units import unit_of_work

    with unit_of_work():
        first = make_release()
        with unit_of_work():
            second = make_release()
        assert not ReleaseFacts.objects.filter(release__in=[first, second]).exists()
    assert ReleaseFacts.objects.filter(release__in=[first, second]).count() == 2
    assert facts.differences() == []
    before = Release.objects.count()

    def failing():
        with unit_of_work():
            make_release()
            raise RuntimeError("the unit fails")

    with pytest.raises(RuntimeError):
        failing()
    assert Release.objects.count() == before
    third = make_release()  # and outside a unit, at once again
    assert ReleaseFacts.objects.filter(release=third).exists()
    assert facts.differences() == []


@pytest.mark.django_db
def test_a_threads_samples_are_those_counted_for_it_whatever_its_ids_digits(make_release):
    """A thread's exact figures read the threads kept on each sample, as its histograms
    were counted: thread 1 is not thread 11, 21 or 13."""
    from kpis.models import FlowSample

    release = make_release()
    at = timezone.now()
    kept = ["1", "11,21", "3,1", "1,4", "2,13,4", "", "13"]
    FlowSample.objects.bulk_create(
        FlowSample(release=release, measure="live", ended_at=at, month=at.date(), threads=threads)
        for threads in kept
    )

    def of(thread):
        found = kpis_flow.Cut(thread=thread).samples(["live"]).values_list("threads", flat=True)
        return sorted(found)

    assert of(1) == sorted(["1", "3,1", "1,4"])
    assert of(13) == sorted(["2,13,4", "13"])
    assert of(4) == sorted(["1,4", "2,13,4"])
    assert of(2) == ["2,13,4"]
    assert of(5) == []
