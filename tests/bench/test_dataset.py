"""The benchmark's bulk dataset holds what the services would have written: every RfC
state reached by its transitions in order, with the CAB's advice and decision, the audit
entries of each step, references from the services' own sequence; and the benchmark
refuses to report a page that does not answer."""

import dataclasses
import datetime
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.utils import timezone

from aftercare.models import Hypercare, Incident, Lesson
from bench import dataset, measure
from changes import services
from changes.models import Advice, AgendaItem, CabDecision, CabMeeting, ChangeType, Review, RfC
from deployments.models import ReleasePackage
from dsl.models import Archive, CITask, Component, InstalledVersion
from raci.permissions import Parties
from readiness.models import ChecklistItem
from releasemgmt.audit.models import AuditEntry
from releases.models import Release, StageChange
from satisfaction.models import Survey

pytestmark = pytest.mark.django_db
S = RfC.Status
RELEASES = 200
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def world():
    world = dataset.World()
    dataset.grow(world, RELEASES)
    return world


def test_every_rfc_state_comes_from_its_transitions_in_order(world):
    rfcs = list(RfC.objects.order_by("id"))
    assert len(rfcs) == RELEASES * dataset.RFCS_PER_RELEASE
    assert set(Counter(r.status for r in rfcs)) == set(S.values)
    assert AuditEntry.objects.count() == RELEASES * dataset.AUDIT_PER_RELEASE
    trail = defaultdict(list)
    for entry in AuditEntry.objects.filter(object_type="changes.rfc").order_by("timestamp", "id"):
        trail[int(entry.object_id)].append(entry)
    decisions = {d.rfc_id: d for d in CabDecision.objects.all()}
    reviewed = set(Review.objects.values_list("rfc_id", flat=True))
    agenda = set(AgendaItem.objects.values_list("meeting_id", "rfc_id"))
    now = timezone.now()
    for rfc in rfcs:
        rfc.full_clean(exclude=["status"], validate_unique=False)  # protected: read only
        entries = trail[rfc.pk]
        assert entries[0].action == "rfc_raised", rfc
        statuses = [e.changes["status"][1] for e in entries if "status" in e.changes]
        assert statuses[-1] == rfc.status, (rfc, [e.action for e in entries])
        moments = [rfc.created_at, rfc.submitted_at, rfc.authorised_at, rfc.implemented_at]
        moments = [m for m in moments if m]
        assert moments == sorted(moments), rfc
        assert max(moments + [e.timestamp for e in entries]) <= now
        assert rfc.applications.exists()
        carried = rfc.status in (S.SCHEDULED, S.IMPLEMENTED, S.REVIEWED) or (
            rfc.status == S.CLOSED and rfc.implemented_at
        )
        assert bool(rfc.release_id) == bool(carried or rfc.complementary), rfc
        rejected_then_closed = rfc.status == S.CLOSED and not rfc.implemented_at
        if rfc.status in RfC.AUTHORISED_STATES and not rejected_then_closed:
            assert rfc.authorised_at
            if rfc.change_type == ChangeType.STANDARD:
                assert rfc.pk not in decisions
                assert "rfc_pre_authorised" in [e.action for e in entries]
            else:
                assert decisions[rfc.pk].outcome == "authorised"
        if rfc.status == S.REJECTED or rejected_then_closed:
            assert decisions[rfc.pk].outcome == "rejected"
        if rfc.pk in decisions:
            decision = decisions[rfc.pk]
            assert (decision.meeting_id, rfc.pk) in agenda
            advice = Advice.objects.filter(meeting=decision.meeting, rfc=rfc).count()
            assert advice >= services.quorum(decision.meeting)
            assert decision.meeting.starts_at < now
        if rfc.status == S.REVIEWED or (rfc.status == S.CLOSED and rfc.review_required):
            assert rfc.pk in reviewed, rfc
        if rfc.status == S.AWAITING_CAB:
            assert rfc.agenda_items.get().meeting.starts_at > now
        if rfc.status in (S.SUBMITTED, S.ASSESSED, S.AWAITING_CAB):
            assert rfc.change_type == ChangeType.NORMAL
        if rfc.status == S.ASSESSED:
            assert rfc.risk_level


def test_cab_meetings_past_and_coming(world):
    now = timezone.now()
    weekly = CabMeeting.objects.filter(kind=CabMeeting.Kind.CAB)
    held = weekly.filter(starts_at__lt=now - datetime.timedelta(days=1))
    assert held.filter(minutes_sent_at__isnull=True).count() == 0
    assert weekly.filter(starts_at__gt=now, minutes_sent_at__isnull=True).count() >= 8
    assert CabDecision.objects.filter(meeting__kind=CabMeeting.Kind.ECAB).exists()
    assert all(m.members.count() == 5 for m in weekly[:20])
    coming = world.next_cab
    assert AgendaItem.objects.filter(meeting_id=coming.pk).count() == (
        RfC.objects.filter(status=S.AWAITING_CAB).count()
    )


def test_references_follow_the_services_sequence(world, make_user):
    numbers = sorted(int(ref[4:]) for ref in RfC.objects.values_list("reference", flat=True))
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))
    requester = make_user("ann", Parties.APPLICATION_MANAGER)
    rfc = services.raise_rfc(by=requester, title="After the bulk rows")
    assert int(rfc.reference[4:]) > numbers[-1]


def test_a_page_that_does_not_answer_fails_the_run(world):
    plan = measure.pages(world)
    paths = {p.path for p in plan}
    assert {"/changes/", "/changes/rfcs/", "/changes/schedule/", "/api/v1/rfcs/"} <= paths
    assert any(p.persona == "change manager" and p.path.startswith("/changes/cab/") for p in plan)
    missing = measure.Page("change manager", "/changes/no-such-page/", world.change_managers[0])
    rows = measure.run([missing], repeat=1)
    assert measure.unexpected(rows) == rows
    assert rows[0].status == 404
    kept, left_out = measure.skipped(plan, ["/changes/"])
    assert left_out
    assert all(not p.path.startswith("/changes/") for p in kept)


def test_the_living_deployment_plans_are_measured(world):
    plan = [p for p in measure.pages(world) if "/deployment-plan/" in p.path or "/plan/" in p.path]
    assert any(p.path.endswith(f"compare/?from=1&to={dataset.PLAN_REVISIONS}") for p in plan)
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []


def test_the_packages_and_exports_are_measured_and_answer(world):
    """The dataset holds release packages of several applications; the package page and
    the streamed CSV export answer 200 with their rows read."""
    package = ReleasePackage.objects.order_by("id").first()
    assert package is not None
    applications = set(package.members.values_list("release__application", flat=True))
    assert len(applications) == package.members.count() > 1
    plan = measure.pages(world)
    wanted = {f"/packages/{package.pk}/", "/releases/export/?format=csv", "/packages/"}
    chosen = [p for p in plan if p.path in wanted and p.persona == "release manager"]
    assert {p.path for p in chosen} == wanted
    rows = measure.run(chosen, repeat=2)
    assert measure.unexpected(rows) == []
    export = next(r for r in rows if r.page.startswith("/releases/export/"))
    assert export.kb > RELEASES * 0.05  # every release's row was read


def test_the_configuration_managers_tasks_are_measured_and_answer(world):
    """Closed releases carry their CIs, baseline and the configuration manager's task
    (some still open); the task list, an open task and its release's configuration
    answer 200."""
    task = CITask.objects.filter(status=CITask.Status.OPEN).order_by("id").first()
    assert task is not None
    assert task.proposals.count() == dataset.COMPONENTS_PER_RELEASE + 1
    assert CITask.objects.filter(status=CITask.Status.CONFIRMED).exists()
    plan = [p for p in measure.pages(world) if "cmdb" in p.path or "/configuration/" in p.path]
    assert f"/cmdb/tasks/{task.pk}/" in {p.path for p in plan}
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []


def test_the_environment_pages_are_measured_and_answer(world):
    """Each application's environments carry a timeline of ENVIRONMENT_HISTORY versions;
    its environments' page and the production timeline answer 200."""
    assert InstalledVersion.objects.count() == (
        len(world.applications) * 4 * dataset.ENVIRONMENT_HISTORY
    )
    chosen = [p for p in measure.pages(world) if "applications/" in p.path]
    assert any(p.path.endswith("/environments/production/") for p in chosen)
    rows = measure.run(chosen, repeat=2)
    assert measure.unexpected(rows) == []


def test_the_dsl_of_an_application_is_measured_with_constant_queries(world):
    """The DSL page of the application whose hundred versions hold files: every page of
    it takes the same queries."""
    assert Component.objects.filter(release__application__code="ecs").exists()
    assert Archive.objects.filter(purged_at__isnull=False).exists()
    plan = [p for p in measure.pages(world) if "dsl/" in p.path]
    assert len(plan) == 3
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []
    first, third = (r for r in rows if r.page.startswith("/dsl/"))
    assert first.queries == third.queries


def test_the_satisfaction_survey_is_measured_and_answers(world):
    """Closed releases carry their threads' surveys, some owed; the release's answers
    (page and API) and the form its respondent owes answer 200."""
    assert Survey.objects.filter(answered_at__isnull=False).exists()
    assert Survey.objects.filter(answered_at__isnull=True).exists()
    plan = [p for p in measure.pages(world) if "/satisfaction/" in p.path]
    assert len(plan) == 3
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []


def test_the_move2run_checklists_are_measured_with_constant_queries(world):
    """Every open release holds its type's checklist; its page, the release page's
    readiness section and the API answer in a number of queries that does not grow with
    the items (the template pages too)."""
    assert ChecklistItem.objects.filter(status="open").exists()
    plan = [
        p
        for p in measure.pages(world)
        if ("checklist" in p.path or "readiness/" in p.path) and not p.path.startswith("/start/")
    ]
    assert len(plan) == 5
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []
    # 15: the one read of the user's delegations per request (issue 16 point 4)
    assert all(r.queries <= 15 for r in rows), [(r.page, r.queries) for r in rows]


def test_the_hypercare_pages_are_measured_and_answer(world):
    """Releases past go-live carry their hypercare (closed with the release), those in
    conformance testing their incidents; the hypercare page and its API answer 200, in
    the same number of queries for the service desk and the release manager."""
    assert Hypercare.objects.filter(closed_at__isnull=False).exists()
    assert Incident.objects.filter(resolved_at__isnull=True).exists()
    plan = [p for p in measure.pages(world) if "/hypercare/" in p.path]
    assert len(plan) >= 3
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []
    pages = [r for r in rows if not r.page.startswith("/api/")]
    assert len({r.queries for r in pages[:2]}) == 1


def test_the_review_and_lessons_pages_are_measured_with_constant_queries(world):
    """Closed releases carry their review, lessons and improvement actions; the review
    page, /lessons/ (two pages, a search) and the API answer 200, every page of the
    lessons in the same number of queries."""
    assert Lesson.objects.count() >= dataset.LESSONS_PER_REVIEW
    plan = [p for p in measure.pages(world) if "/review/" in p.path or "lessons/" in p.path]
    assert len(plan) >= 6
    rows = measure.run(plan, repeat=2)
    assert measure.unexpected(rows) == []
    first = next(r for r in rows if r.page == "/lessons/" and r.persona == "release manager")
    second = next(r for r in rows if r.page == "/lessons/?page=2")
    assert first.queries == second.queries


def test_the_kpis_of_a_year_are_measured_on_the_stage_history(world):
    """Every release of the dataset has the moves to its stage (the rows the KPIs' flow
    reads); the KPI page of a year, its flow part, their API and the quarterly review
    pages answer 200 (issue 15)."""
    moved = Release.objects.exclude(stage="planning")
    assert StageChange.objects.values("release").distinct().count() == moved.count()
    assert StageChange.objects.filter(transition="roll_back").count() == (
        Release.objects.filter(stage="rolled_back").count()
    )
    chosen = [p for p in measure.pages(world) if "kpis/" in p.path]
    paths = {p.path.split("?")[0] for p in chosen}
    assert {"/kpis/", "/api/v1/kpis/", "/kpis/flow/", "/api/v1/kpis/flow/"} <= paths
    assert "/kpis/reviews/" in paths
    assert len(paths) == 7  # and the last quarter's review page and its API
    rows = measure.run(chosen, repeat=2)
    assert measure.unexpected(rows) == []


def test_two_datasets_measured_apart_are_compared_side_by_side(world, tmp_path, monkeypatch):
    """A size's figures saved by one run (``--save``) are read by a run on another dataset
    (``--against``): the rows and loads as measured, and the two sizes compared."""
    monkeypatch.syspath_prepend(str(ROOT / "bench"))  # as bench/run.py runs
    import load

    from bench import run

    page = measure.Page(
        "release manager", "/releases/", world.release_manager.group.user_set.first()
    )
    rows = measure.run([page], repeat=2)
    assert rows[0].status == 200
    loads = {(page.persona, page.path): load.Load(510.0, 2550, 7.5, 20.25, 0, 500.0)}
    path = tmp_path / "figures.json"
    run.saved({10_000: (rows, loads, 500.0)}, str(path))
    again = run.read_saved(str(path))
    [(size, (rows_again, loads_again, trivial_rps))] = again.items()
    assert (size, loads_again, trivial_rps) == (10_000, loads, 500.0)
    figures = ("persona", "page", "status", "queries", "p50", "p95", "db_p50", "sql")
    assert [[getattr(r, f) for f in figures] for r in rows_again] == [
        [getattr(r, f) for f in figures] for r in rows
    ]
    bigger = [dataclasses.replace(row, queries=row.queries + 1, p95=75.0) for row in rows]
    table = run.compare({**again, 100_000: (bigger, loads, 480.0)})
    assert "from 10,000 to 100,000 releases" in table
    line = next(line for line in table.splitlines() if page.path in line)
    assert f"{rows[0].queries}->{rows[0].queries + 1}!" in line
    assert "75.0!" in line
    assert "1.02 -> 1.02" in line
