"""RfCs through the API: registered by the change manager, the CAB's decision recorded
once (a second one, or a concurrent one, is refused with 409), included in a release
only while its consistency is not yet verified."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from changes.models import RfC
from changes.services import record_cab_decision
from releasemgmt.audit.models import AuditEntry
from releasemgmt.errors import Conflict


@pytest.fixture
def change_manager(make_user):
    return make_user("chris", "ITSM Change Manager")


def test_the_cab_decides_once(api, change_manager):
    client = api(change_manager)
    created = client.post("/api/v1/rfcs/", {"reference": "RFC-7", "title": "New rules"})
    assert created.status_code == 201, created.json()
    decided = client.post("/api/v1/rfcs/RFC-7/cab-decision/", {"cab_decision": "approved"})
    assert decided.status_code == 200
    assert decided.json()["status"] == "approved"
    again = client.post("/api/v1/rfcs/RFC-7/cab-decision/", {"cab_decision": "rejected"})
    assert again.status_code == 409
    assert "recorded already" in again.json()["detail"]
    assert RfC.objects.get(reference="RFC-7").cab_decision == "approved"
    assert AuditEntry.objects.filter(action="cab_decision").count() == 1


def test_only_the_change_manager_records_the_cab_decision(api, change_manager, cast):
    api(change_manager).post("/api/v1/rfcs/", {"reference": "RFC-8", "title": "x"})
    response = api(cast.rm).post("/api/v1/rfcs/RFC-8/cab-decision/", {"cab_decision": "approved"})
    assert response.status_code == 403
    assert RfC.objects.get(reference="RFC-8").cab_decision == "pending"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_thirty_concurrent_cab_decisions_one_wins(make_user):
    chris = make_user("chris", "ITSM Change Manager")
    rfc = RfC.objects.create(reference="RFC-9", title="x", created_by=chris)
    barrier = threading.Barrier(30)
    outcomes = []

    def decide(verdict):
        try:
            barrier.wait(timeout=60)
            record_cab_decision(rfc, by=chris, cab_decision=verdict)
            outcomes.append("won")
        except Conflict:
            outcomes.append("409")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("approved" if i % 2 else "rejected",))
        for i in range(30)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(outcomes) == {"won": 1, "409": 29}
    assert AuditEntry.objects.filter(action="cab_decision").count() == 1
