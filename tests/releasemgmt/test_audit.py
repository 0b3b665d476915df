"""The audit log is append-only: no path of the app changes or deletes an entry."""

import pytest
from django.db import DatabaseError, connection, transaction

from releasemgmt.audit.models import AppendOnlyError, AuditEntry


@pytest.fixture
def entry(make_release):
    make_release()
    return AuditEntry.objects.first()


def test_entries_record_who_did_what_and_when(entry, release_manager):
    assert entry.actor == release_manager
    assert entry.timestamp is not None
    assert entry.release is not None


def test_model_refuses_update_and_delete(entry):
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()


def test_queryset_refuses_update_and_delete(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="tampered")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_database_refuses_raw_update_and_delete(entry):
    for sql in (
        "UPDATE audit_auditentry SET action = 'x' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_admin_offers_no_change_or_delete(client, entry, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get(f"/admin/audit/auditentry/{entry.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "x"})
    assert response.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == entry.action


def test_renaming_a_user_does_not_rewrite_history(client, entry, release_manager):
    """The actor is shown as they were called, with the parties they held, when it
    happened."""
    release_manager.first_name, release_manager.last_name = "Rita", "Manager"
    release_manager.save()
    before = AuditEntry.objects.get(pk=entry.pk)
    release_manager.username = "someone-else"
    release_manager.first_name = "Changed"
    release_manager.save()
    release_manager.groups.clear()
    kept = AuditEntry.objects.get(pk=entry.pk)
    assert kept.who == before.who == "rita"
    assert kept.actor_groups == "ITSM Release Manager"
    client.force_login(release_manager)
    trail = client.get(f"/api/v1/releases/{kept.release.identifier}/audit/").json()
    assert "someone-else" not in str(trail)
