"""A Move2Run item owed, confirmed from a mail's personal link (issue 16): the seam a
reminder or an escalation of the item uses (``personal=(readiness.links.PURPOSE,
item)``). GET shows the confirmation, POST confirms it with its evidence, once."""

import pytest
from django.test import Client

from readiness.links import PURPOSE
from readiness.models import ChecklistItem
from releasemgmt.accounts import personal_links

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner(make_user):
    return make_user("amelia", "ITSM Application Manager")


@pytest.fixture
def item(make_release):
    release = make_release()
    return ChecklistItem.objects.get(release=release, title__contains="Runbook updated")


def test_the_owner_confirms_the_item_from_the_link_once(item, owner):
    _, token = personal_links.issue(owner, PURPOSE, item)
    path = personal_links.path_of(token)
    client = Client()
    client.force_login(owner)
    page = client.get(path).content.decode()
    assert "Runbook updated" in page
    assert 'name="evidence_note"' in page
    assert 'name="evidence_file"' not in page
    item.refresh_from_db()
    assert item.status == "open"
    assert client.post(path, {"evidence_note": ""}).status_code == 400
    response = client.post(path, {"evidence_note": "In the knowledge base"})
    assert response.status_code == 302
    assert "Item confirmed" in client.get(response["Location"]).content.decode()
    item.refresh_from_db()
    assert (item.status, item.settled_by, item.evidence_note) == (
        "done",
        owner,
        "In the knowledge base",
    )
    assert client.post(path, {"evidence_note": "Again"}).status_code == 409


def test_someone_else_s_link_is_none_and_the_owner_rule_holds(item, owner, cast):
    _, token = personal_links.issue(owner, PURPOSE, item)
    client = Client()
    client.force_login(cast.dc)
    assert client.get(personal_links.path_of(token)).status_code == 404
    # a link mailed to someone who is not of the owner party confirms nothing
    _, other = personal_links.issue(cast.dc, PURPOSE, item)
    assert client.post(personal_links.path_of(other), {"evidence_note": "Done"}).status_code == 403
    item.refresh_from_db()
    assert item.status == "open"
