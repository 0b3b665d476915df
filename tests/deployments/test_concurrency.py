"""Concurrent attempts at the same transition of one release: exactly one wins, the
others get a clear conflict, nothing is written twice (real PostgreSQL, row locks)."""

import threading

import pytest
from django.db import connection

from deployments import services
from releasemgmt.audit.models import AuditEntry
from releasemgmt.errors import Conflict
from releasemgmt.notifications.models import Communication
from releases import services as release_services
from releases.models import Release
from tests.lifecycle import PLAN_ITEMS
from tests.waiting import PATIENCE, wait_until

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def race(n, work):
    """Run ``work`` in ``n`` threads released at once; return (successes, conflicts)."""
    barrier = threading.Barrier(n)
    results = []

    def run():
        try:
            barrier.wait(timeout=PATIENCE)
            work()
            results.append("ok")
        except Conflict as exc:
            results.append(exc.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    wait_until(lambda: not any(t.is_alive() for t in threads), "every attempt to finish")
    return results.count("ok"), [r for r in results if r != "ok"]


def test_concurrent_cancellations_one_wins(make_release, release_manager):
    release = make_release()
    wins, conflicts = race(
        8,
        lambda: release_services.fire_transition(
            Release.objects.get(pk=release.pk), "cancel", by=release_manager, reason="dup"
        ),
    )
    assert wins == 1
    assert len(conflicts) == 7
    assert all("cancelled" in c.lower() for c in conflicts)
    assert AuditEntry.objects.filter(release=release, action="stage_cancel").count() == 1


def test_concurrent_publication_is_done_once(make_release, release_manager):
    release = make_release()
    services.initialise_deployment_plan(
        release,
        by=release_manager,
        option="big_bang",
        summary="x",
        components="core 1.0",
        last_known_good_build="0.9",
        rollback_procedure="redeploy 0.9",
        **PLAN_ITEMS,
    )
    wins, conflicts = race(
        8,
        lambda: services.publish_release_schedule(
            Release.objects.get(pk=release.pk), by=release_manager
        ),
    )
    assert wins == 1
    assert len(conflicts) == 7
    assert Release.objects.get(pk=release.pk).stage == "receiving"
    assert Communication.objects.filter(release=release, interface="Release Plan").count() == 1
