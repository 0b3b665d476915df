"""The decisions owed are kept by the events that change them (issue 17): after each step
of a release's walk through the API, the kept rows are what the records say, and the
lists of a thread read them."""

import pytest
from django.apps import apps as global_apps
from django.core.management.sql import emit_post_migrate_signal
from django.db import transaction

from deployments import owed
from deployments.models import OwedDecision
from deployments.selectors import owed_decisions
from deployments.tasks import recount_owed_decisions_task
from releases.models import Release
from tests.lifecycle import install, upload, walk_to


@pytest.fixture
def release(release_at):
    return release_at(conformance_testing=True)


def kept() -> set:
    return set(OwedDecision.objects.values_list("release_id", "business_thread__slug", "kind"))


def from_the_records() -> set:
    """The rows a recount gives, then undone."""
    with transaction.atomic():
        owed.recount()
        rows = kept()
        transaction.set_rollback(True)
    return rows


def owes(release, *kinds):
    """The kept rows are those the records give; A3/Cust owes ``kinds`` on the release."""
    rows = kept()
    assert rows == from_the_records()
    assert {kind for pk, slug, kind in rows if pk == release.pk and slug == "a3-cust"} == set(kinds)


def test_each_step_of_the_walk_keeps_what_is_owed(cast, release):
    ok, p, act = cast.ok, cast.perform, cast.act
    walk_to(cast, release, "acceptance")
    owes(release)
    ok(act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}), 201)
    owes(release, "psat")
    ok(cast.decide(cast.cust, release, "psat"), 201)
    owes(release)
    ok(p(cast.dc, release, "RM.4.1"))
    ok(act(cast.dc, release, "submit-test-report", {"kind": "sat", "file": upload()}), 201)
    owes(release, "sat")
    ok(cast.decide(cast.cust, release, "sat"), 201)
    ok(p(cast.dc, release, "RM.4.2"))
    plan = {"file": upload("i.pdf"), "release_notes": "x", "planned_start": "2027-02-10T20:00"}
    ok(act(cast.dc, release, "submit-installation-plan", plan), 201)
    owes(release, "installation_plan")
    ok(cast.decide(cast.cust, release, "installation_plan"), 201)
    owes(release, "authorisation")
    ok(p(cast.dc, release, "RM.5.1"))
    ok(cast.decide(cast.cust, release, "authorisation"), 201)
    ok(p(cast.dc, release, "RM.5.2"))
    owes(release)
    install(cast, release, successful=False)
    owes(release, "rollback")
    ok(cast.decide(cast.cust, release, "rollback"), 201)
    owes(release)
    ok(p(cast.dc, release, "RM.6.4"))
    transition = f"/api/v1/releases/{release.identifier}/transitions/reauthorise/"
    ok(cast.client(cast.dc).post(transition, {}, format="json"))
    assert Release.objects.get(pk=release.pk).stage == "authorisation"
    assert kept() == from_the_records()


def test_conformance_testing_owes_the_go_ahead_until_given(cast, release):
    ok, p = cast.ok, cast.perform
    walk_to(cast, release, "installation")
    install(cast, release, successful=True)
    ok(p(cast.dc, release, "RM.6.5"))
    ok(p(cast.dc, release, "RM.6.6", {"message": "ECS 3.2.0 is available"}))
    closing = {"configuration_manager_informed": True, "deployment_plan_updated": True}
    ok(p(cast.rm, release, "RM.6.7", closing))
    owes(release, "ct_go_ahead")
    [owed] = owed_decisions(cast.cust)
    assert (owed["release"].pk, owed["kind"]) == (release.pk, "ct_go_ahead")
    ok(cast.decide(cast.cust, release, "ct_go_ahead"), 201)
    owes(release)
    assert owed_decisions(cast.cust) == []


def test_a_thread_reads_only_what_it_holds(cast, release, make_user):
    """Rows are kept for the threads the release affects (RM.1.2); the lists show a
    user's threads' only."""
    walk_to(cast, release, "acceptance")
    report = {"kind": "psat", "file": upload()}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    assert kept() == {(release.pk, "a3-cust", "psat")}
    other = make_user("other-thread", "DG TAXUD A3/Tax")
    assert owed_decisions(other) == []
    assert [o["kind"] for o in owed_decisions(cast.cust)] == ["psat"]


def test_the_recount_and_an_upgrade_rebuild_what_the_events_missed(cast, release):
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}), 201
    )
    before = kept()
    assert before
    OwedDecision.objects.all().delete()  # by hand in the database: no event
    assert owed_decisions(cast.cust) == []
    assert recount_owed_decisions_task() == len(before)
    assert kept() == before
    OwedDecision.objects.all().delete()  # a database from before the rows were kept
    # as ``migrate`` ends, with the state it migrated to
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default", apps=global_apps)
    assert kept() == before
