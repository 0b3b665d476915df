"""The five KPIs of seed 002 section 5.3 that count the records of go-live readiness and
what comes after (issue 14): major incidents post release, successful releases,
satisfaction, post-release review coverage and documented lessons; and the KPI facts
kept by the process events, which must always equal a recount from the records."""

import datetime

import pytest
from django.utils import timezone

from kpis import facts
from kpis.models import ReleaseFacts
from raci.models import Party
from readiness import services as readiness
from readiness.selectors import checklist_items
from satisfaction import services as satisfaction
from satisfaction.models import Survey
from tests.lifecycle import install, walk_to

from .history import History
from .test_kpis import by_slug, listed, report

pytestmark = pytest.mark.django_db

INCIDENT = {
    "reference": "INC-KPI-1",
    "title": "Declarations refused",
    "priority": "P1",
    "major": True,
    "caused_by_release": "yes",
}


def incident(cast, release, **changes):
    opened = timezone.localtime() - datetime.timedelta(hours=1)
    body = INCIDENT | {"opened_at": f"{opened:%Y-%m-%dT%H:%M}"} | changes
    url = f"/api/v1/releases/{release.identifier}/hypercare/incidents/"
    return cast.ok(cast.client(cast.dc).post(url, body, format="json"), 201)


def answer(release, user, thread_slug, score):
    survey = Survey.objects.create(
        release=release, respondent=user, thread=Party.objects.get(slug=thread_slug)
    )
    return satisfaction.answer(survey, by=user, score=score, comment="")


def test_the_records_after_go_live_make_the_five_kpis(cast, history: History, make_user):
    late = history.late
    incident(cast, late)
    base = f"/api/v1/releases/{late.identifier}/review"
    review = {"note": "Late and a P1"}
    cast.ok(cast.client(cast.rm).post(f"{base}/", review, format="json"), 201)
    lesson = {"what_happened": "The baseline was optimistic", "next_time": "Plan a buffer"}
    cast.ok(cast.client(cast.rm).post(f"{base}/lessons/", lesson, format="json"), 201)
    other = make_user("cust2", "DG TAXUD A3/Cust")
    answer(history.rolled, cast.cust, "a3-cust", 6)
    answer(history.rolled, other, "a3-cust", 9)
    answer(late, cast.cust, "a3-cust", 3)

    kpis = by_slug(report(cast, cast.rm, history.query())["kpis"])
    total = 5
    for slug, expected in (("major-incidents", 1), ("review-coverage", 1), ("lessons", 1)):
        kpi = kpis[slug]
        assert (kpi["numerator"], kpi["denominator"]) == (expected, total), slug
        assert kpi["value"] == 100 * expected / total, slug
        assert listed(cast, cast.rm, kpi["link"]) == expected, slug
    # late went live late, rolled was rolled back: neither is successful
    assert (kpis["successful"]["numerator"], kpis["successful"]["value"]) == (0, 0.0)
    score = kpis["satisfaction"]
    assert (score["value"], score["denominator"]) == (6.0, 3)  # (6 + 9 + 3) / 3
    assert listed(cast, cast.rm, score["link"]) == 2  # the releases answered about
    assert facts.differences() == []


def _confirm_every_item(cast, release, make_user):
    """Each Move2Run item confirmed by a user of its owner party."""
    users = {Party.objects.get(name="ITSM Deployment Coordinator").pk: cast.dc}
    for item in checklist_items(release):
        party = item.owner_party
        if party.pk not in users:
            users[party.pk] = make_user(None, party.name)
        readiness.confirm_item(release, item.pk, by=users[party.pk], evidence_note="Checked")


def test_on_time_with_every_move2run_item_done_and_no_incident_is_successful(
    cast, make_release, with_rfc, make_user
):
    on_time = timezone.localdate() + datetime.timedelta(days=30)
    release = make_release(
        planned_delivery_date=on_time - datetime.timedelta(days=10),
        planned_installation_date=on_time,
    )
    with_rfc(release, 5)
    walk_to(cast, release, "installation")
    _confirm_every_item(cast, release, make_user)
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    row = ReleaseFacts.objects.get(release=release)
    assert (row.successful, row.late, row.rolled_back) == (True, False, False)

    incident(cast, release, major=False, priority="P3")
    row.refresh_from_db()
    assert row.successful is False  # an incident caused by the release
    assert row.major_incident is False
    assert facts.differences() == []


def test_the_facts_follow_a_re_plan_a_cancellation_and_a_rollback_in_hypercare(
    cast, history: History
):
    assert facts.differences() == []
    a, b = history.overlap_a, history.overlap_b
    assert ReleaseFacts.objects.get(release=a).overlapping is True
    # b's installation moves a week later: a no longer overlaps
    later = b.planned_installation_date + datetime.timedelta(days=7)
    window = {
        "kind": "installation",
        "starts_at": f"{later:%Y-%m-%d}T20:00",
        "ends_at": f"{later:%Y-%m-%d}T22:00",
    }
    cast.ok(
        cast.client(cast.rm).post(
            f"/api/v1/releases/{b.identifier}/milestones/", window, format="json"
        ),
        201,
    )
    assert ReleaseFacts.objects.get(release=a).overlapping is False
    assert facts.differences() == []

    # the late release, live, rolled back from hypercare
    url = f"/api/v1/releases/{history.late.identifier}/hypercare/rollback/"
    cast.ok(cast.client(cast.dc).post(url, {"reason": "Data loss"}, format="json"))
    cast.ok(cast.decide(cast.cust, history.late, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, history.late, "RM.6.4"))
    assert ReleaseFacts.objects.get(release=history.late).rolled_back is True
    kpis = by_slug(report(cast, cast.rm, history.query())["kpis"])
    assert kpis["rollback"]["numerator"] == 2
    assert facts.differences() == []

    # a recount after the rows went missing gives them back as they were
    kept = {f.release_id: f.overlapping for f in ReleaseFacts.objects.all()}
    ReleaseFacts.objects.all().delete()
    assert facts.recount() == len(kept)
    assert {f.release_id: f.overlapping for f in ReleaseFacts.objects.all()} == kept


def test_a_release_revised_to_another_type_moves_its_flow_to_that_types_histograms(
    cast, make_release
):
    release = make_release(release_type="minor")
    url = f"/api/v1/releases/{release.identifier}/"
    cast.ok(cast.client(cast.rm).patch(url, {"release_type": "major"}, format="json"))
    assert facts.differences() == []
    year = {"period": str(timezone.localdate().year)}
    for kind, entered in (("major", 1), ("minor", 0)):
        found = cast.ok(
            cast.client(cast.rm).get("/api/v1/kpis/flow/", year | {"release_type": kind})
        )
        assert found["cumulative"][-1]["planning"] == entered, kind
