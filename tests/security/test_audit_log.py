"""The audit log cannot be changed or deleted through any path of the app. What
tests/releasemgmt/test_audit.py already proves (instance save/delete, queryset
update/delete, raw SQL UPDATE/DELETE, the admin's change POST and delete page) is not
repeated; here: the admin's other doors for a superuser (bulk delete action, delete
confirmation, add, change form without save), every API endpoint with every unsafe
method, and the ORM side doors (bulk_update, update_or_create, the base manager that
skips the guarded queryset, and deleting what an entry points to)."""

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.test import Client

from releasemgmt.audit.models import AppendOnlyError, AuditEntry
from releases.models import Release

from .conftest import People, api_for, new_user
from .routes import category, routes, sample_path

pytestmark = pytest.mark.django_db

FIELDS = ["timestamp", "actor_id", "action", "object_type", "object_id", "release_id", "changes"]


@pytest.fixture(scope="module")
def logged(module_db):
    """A release whose formalisation, roles and RfC left entries, and a superuser who
    also manages releases (so the API lets them try everything)."""
    people = People.create()
    release = people.release()
    root = new_user("root", "ITSM Release Manager", is_staff=True, is_superuser=True)
    entries = list(AuditEntry.objects.filter(release=release))
    assert len(entries) >= 3
    return release, root, entries


def snapshot():
    return {row["id"]: row for row in AuditEntry.objects.values("id", *FIELDS)}


def admin_client(root):
    client = Client()
    client.force_login(root)
    return client


def test_admin_offers_no_bulk_delete_and_ignores_a_forged_one(logged):
    release, root, entries = logged
    client = admin_client(root)
    before = snapshot()
    changelist = client.get("/admin/audit/auditentry/")
    assert changelist.status_code == 200
    assert "delete_selected" not in changelist.content.decode()
    response = client.post(
        "/admin/audit/auditentry/",
        {
            "action": "delete_selected",
            "_selected_action": [e.pk for e in entries],
            "post": "yes",
            "index": 0,
        },
    )
    assert response.status_code in (200, 302)
    assert snapshot() == before


def test_admin_delete_confirmation_is_refused(logged):
    _, root, entries = logged
    response = admin_client(root).post(
        f"/admin/audit/auditentry/{entries[0].pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEntry.objects.filter(pk=entries[0].pk).exists()


def test_admin_cannot_add_an_entry(logged):
    _, root, _ = logged
    client = admin_client(root)
    count = AuditEntry.objects.count()
    assert client.get("/admin/audit/auditentry/add/").status_code == 403
    response = client.post(
        "/admin/audit/auditentry/add/",
        {"action": "forged", "object_type": "x", "object_id": "1", "object_repr": "x"},
    )
    assert response.status_code == 403
    assert AuditEntry.objects.count() == count


def test_admin_shows_an_entry_read_only(logged):
    _, root, entries = logged
    page = admin_client(root).get(f"/admin/audit/auditentry/{entries[0].pk}/change/")
    assert page.status_code == 200
    body = page.content.decode()
    assert entries[0].action in body
    assert 'name="_save"' not in body
    assert "/delete/" not in body


AUDIT_ROUTES = [r for r in routes() if r.name == "release-audit"]


def test_the_api_audit_trail_is_read_only(logged):
    """The one endpoint that exposes the log answers 405 to every writing method."""
    release, root, _ = logged
    assert AUDIT_ROUTES
    before = snapshot()
    for route in AUDIT_ROUTES:
        path = sample_path(route, identifier=release.identifier, pk=1, reference="x")
        client = api_for(root)
        assert client.get(path).status_code == 200
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(path, {}, format="json")
            assert response.status_code == 405, (method, path, response.status_code)
    assert snapshot() == before


ROUTES = [r for r in routes() if category(r) is not None]


def test_no_request_changes_or_deletes_an_entry(logged):
    """Every URL of the project (pages, API, admin), every writing method, as a superuser
    release manager: entries may be added (the requests are audited themselves), none
    changed or removed, and no request fails on the log's guards (no 500)."""
    release, root, _ = logged
    before = snapshot()
    for route in ROUTES:
        path = sample_path(route, identifier=release.identifier, pk=1, reference="x")
        client = Client()
        client.force_login(root)  # afresh: one of the paths is the logout
        for method in ("post", "put", "patch", "delete") if route.is_api else ("post",):
            with transaction.atomic():
                response = getattr(client, method)(path, "{}", content_type="application/json")
            assert response.status_code < 500, (method, path, response.status_code)
    after = snapshot()
    assert {pk: after.get(pk) for pk in before} == before


def test_bulk_update_and_update_or_create_are_refused(logged):
    _, _, entries = logged
    entry = AuditEntry.objects.get(pk=entries[0].pk)
    entry.action = "tampered"
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.bulk_update([entry], ["action"])
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEntry.objects.update_or_create(pk=entry.pk, defaults={"action": "tampered"})
    assert AuditEntry.objects.get(pk=entry.pk).action == entries[0].action


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger is PostgreSQL's")
def test_the_base_manager_which_skips_the_guarded_queryset_meets_the_trigger(logged):
    """Django's base manager is a plain queryset: the database still refuses."""
    _, _, entries = logged
    base = AuditEntry._base_manager.filter(pk=entries[0].pk)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        base.update(action="tampered")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        base.delete()
    assert AuditEntry.objects.get(pk=entries[0].pk).action == entries[0].action


def test_deleting_what_an_entry_names_is_refused(logged):
    """No cascade takes entries with it: their release and their actor are protected."""
    release, _, entries = logged
    actor = get_user_model().objects.get(pk=entries[0].actor_id)
    with pytest.raises(ProtectedError), transaction.atomic():
        Release.objects.get(pk=release.pk).delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        actor.delete()
    assert AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).count() == len(entries)
