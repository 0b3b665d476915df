"""A transition that fails half way leaves the release tables as they were: the request's
transaction is rolled back as a whole. The fault is real: a PostgreSQL trigger makes the
database refuse the audit entry of the stage change, written after the plan was
published, the Release Plan communication queued and the activity marked done."""

from contextlib import contextmanager

import pytest
from django.core import mail
from django.db import connection
from rest_framework.test import APIClient

from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication, Recipient
from releases.models import ActivityRecord, Release
from tests.lifecycle import PLAN

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="uses a PostgreSQL trigger"),
]

AUDIT_TABLE = AuditEntry._meta.db_table


@contextmanager
def refusing_stage_changes():
    """While open, the database refuses to record any stage change."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            CREATE FUNCTION test_refuse_stage_change() RETURNS trigger AS $$
            BEGIN
                IF NEW.action LIKE 'stage_%%' THEN
                    RAISE EXCEPTION 'injected fault: stage change refused';
                END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            """
        )
        cursor.execute(
            f"CREATE TRIGGER test_refuse_stage_change BEFORE INSERT ON {AUDIT_TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION test_refuse_stage_change()"
        )
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER test_refuse_stage_change ON {AUDIT_TABLE}")
            cursor.execute("DROP FUNCTION test_refuse_stage_change()")


def snapshot(release):
    release = Release.objects.get(pk=release.pk)
    return {
        "stage": release.stage,
        "published_at": release.published_at,
        "records": sorted(
            ActivityRecord.objects.filter(release=release).values_list(
                "activity__code", "status", "performed_by"
            )
        ),
        "communications": Communication.objects.filter(release=release).count(),
        "recipients": Recipient.objects.filter(communication__release=release).count(),
        "audit": AuditEntry.objects.filter(release=release).count(),
    }


def test_a_transition_failing_half_way_changes_nothing(cast, make_release):
    release = make_release(threads=["a3-cust"])
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    before = snapshot(release)
    assert before["stage"] == "planning"

    client = APIClient(raise_request_exception=False)
    client.force_authenticate(cast.rm)
    url = f"/api/v1/releases/{release.identifier}/activities/RM.1.4/"
    mail.outbox.clear()
    with refusing_stage_changes():
        response = client.post(url, {}, format="json")
    assert response.status_code == 500
    assert snapshot(release) == before
    assert mail.outbox == []  # the mails of a rolled-back change are never sent

    # Once the database accepts it again, the same request does the whole transition.
    cast.ok(cast.perform(cast.rm, release, "RM.1.4"))
    after = snapshot(release)
    assert after["stage"] == "receiving"
    assert after["published_at"] is not None
    assert after["communications"] > before["communications"]
