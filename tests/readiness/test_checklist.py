"""The Move2Run checklist (seed 002 sections 3 and 7.2): made from the template of the
release type, confirmed by the owners with evidence, waived by RM.6.2's accountable
party, low items carried into hypercare, and RM.6.2 refused while a high or medium item
is open. Through the API and the pages."""

import datetime
import hashlib
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from readiness.selectors import carried_items
from releasemgmt.audit.models import AuditEntry
from tests.lifecycle import complete_runbook_and_go
from tests.start import start_page

pytestmark = pytest.mark.django_db


def _checklist(cast, release, user=None):
    return cast.ok(
        cast.api(user or cast.dc).get(f"/api/v1/releases/{release.identifier}/checklist/")
    )


def _item(body, text):
    return next(i for i in body["items"] if text in i["title"])


def _post(cast, user, release, item, action, data, multipart=False):
    return cast.api(user).post(
        f"/api/v1/releases/{release.identifier}/checklist/{item['id']}/{action}/",
        data,
        format="multipart" if multipart else "json",
    )


@pytest.fixture
def people(make_user):
    return {
        "am": make_user("amelia", "ITSM Application Manager"),
        "conf": make_user("connor", "ITSM Configuration Manager"),
    }


def test_a_release_gets_the_checklist_of_its_type_due_before_its_installation(cast, make_release):
    minor = make_release()
    major = make_release(release_type="major")
    emergency = make_release(release_type="emergency")
    sizes = [len(_checklist(cast, r)["items"]) for r in (emergency, minor, major)]
    assert sizes[0] < sizes[1] < sizes[2]
    runbook = _item(_checklist(cast, minor), "Runbook updated")
    assert runbook["priority"] == "high"
    assert runbook["owner_party"] == "itsm-application-manager"
    assert runbook["status"] == "open"
    due = datetime.date.fromisoformat(runbook["due_date"])
    assert due == minor.planned_installation_date - datetime.timedelta(days=5)


def test_the_owner_confirms_with_evidence_and_others_may_not(cast, make_release, people):
    release = make_release()
    body = _checklist(cast, release)
    runbook = _item(body, "Runbook updated")

    refused = _post(cast, cast.dc, release, runbook, "confirm", {"evidence_note": "Done"})
    assert refused.status_code == 403

    empty = _post(cast, people["am"], release, runbook, "confirm", {"evidence_note": ""})
    assert empty.status_code == 400
    assert "evidence_note" in empty.json()

    ftp = _post(cast, people["am"], release, runbook, "confirm", {"evidence_link": "ftp://x/y"})
    assert ftp.status_code == 400
    assert "evidence_link" in ftp.json()

    content = b"%PDF-1.4 runbook v1"
    upload = SimpleUploadedFile("runbook.pdf", content, content_type="application/pdf")
    done = cast.ok(
        _post(
            cast,
            people["am"],
            release,
            runbook,
            "confirm",
            {"evidence_note": "Stored in the knowledge base", "evidence_file": upload},
            multipart=True,
        )
    )
    assert done["status"] == "done"
    assert done["settled_by"] == "amelia"
    assert done["evidence_sha256"] == hashlib.sha256(content).hexdigest()
    download = cast.api(cast.dc).get(f"/api/v1{done['evidence_url']}")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content

    again = _post(cast, people["am"], release, runbook, "confirm", {"evidence_note": "Again"})
    assert again.status_code == 409
    assert (
        AuditEntry.objects.filter(action="checklist_item_confirmed", release=release).count() == 1
    )


def test_go_live_waits_for_high_and_medium_items_unless_waived(release_at, cast, people):
    release = release_at("installation")
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.1", {"message": "Downtime Saturday", "disruption": "2 hours"}))

    refused = p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"})
    assert refused.status_code == 409
    missing = refused.json()["missing"]
    assert any("Runbook updated" in m for m in missing)
    assert not any("Knowledge base" in m for m in missing)  # a low item does not hold it

    body = _checklist(cast, release)
    rollback = _item(body, "Rollback plan")
    # the release manager is not accountable for RM.6.2 (Table 4-1: the coordinator is)
    assert _post(cast, cast.rm, release, rollback, "waive", {"reason": "Later"}).status_code == 403
    blank = _post(cast, cast.dc, release, rollback, "waive", {"reason": "  "})
    assert blank.status_code == 400
    assert "reason" in blank.json()
    waived = ok(_post(cast, cast.dc, release, rollback, "waive", {"reason": "Rehearsed at SAT"}))
    assert waived["status"] == "waived"
    assert waived["reason"] == "Rehearsed at SAT"

    high = _item(body, "Runbook updated")
    carried_high = _post(cast, cast.dc, release, high, "carry", {"reason": "Later"})
    assert carried_high.status_code == 409
    assert carried_high.json()["missing"] == [high["title"]]
    low = _item(body, "Knowledge base")
    ok(_post(cast, cast.desk, release, low, "carry", {"reason": "Articles after the go-live"}))
    assert [i.title for i in carried_items(release)] == [low["title"]]

    ok(
        _post(
            cast,
            people["am"],
            release,
            high,
            "confirm",
            {"evidence_link": "https://kb.example.org/runbook"},
        )
    )
    escalation = _item(body, "Escalation matrix")
    ok(_post(cast, cast.desk, release, escalation, "confirm", {"evidence_note": "Agreed"}))
    still = p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"})
    assert still.status_code == 409
    assert [m for m in still.json()["missing"] if "CMDB" in m]
    cmdb = _item(body, "CMDB")
    ok(_post(cast, people["conf"], release, cmdb, "confirm", {"evidence_note": "CIs updated"}))
    assert _checklist(cast, release)["missing"] == []
    complete_runbook_and_go(release, by=cast.dc)  # the runbook and the board's GO
    ok(p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"}))
    assert AuditEntry.objects.filter(action="checklist_item_waived", release=release).exists()


def test_a_thread_reads_its_releases_checklist_and_an_outsider_gets_404(
    cast, make_release, make_user
):
    release = make_release()
    assert _checklist(cast, release, cast.cust)["items"]
    outsider = make_user("olga", "DG TAXUD A3/Tax")
    url = f"/api/v1/releases/{release.identifier}/checklist/"
    assert cast.api(outsider).get(url).status_code == 404
    item = _checklist(cast, release)["items"][0]
    post = _post(cast, outsider, release, item, "confirm", {"evidence_note": "x"})
    assert post.status_code == 404
    assert (
        _post(cast, cast.dc, release, {"id": 999999}, "waive", {"reason": "x"}).status_code == 404
    )


def test_due_dates_follow_a_new_installation_date(cast, make_release):
    release = make_release()
    later = release.planned_installation_date + datetime.timedelta(days=7)
    moved = cast.api(cast.rm).patch(
        f"/api/v1/releases/{release.identifier}/",
        {"planned_installation_date": later.isoformat()},
        format="json",
    )
    assert moved.status_code == 200, moved.json()
    runbook = _item(_checklist(cast, release), "Runbook updated")
    assert runbook["due_date"] == (later - datetime.timedelta(days=5)).isoformat()


def test_the_checklist_page_confirms_and_keeps_what_was_typed_on_refusal(
    client, cast, make_release, people
):
    release = make_release()
    client.force_login(people["am"])
    url = f"/releases/{release.identifier}/checklist/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Runbook updated" in page.content
    runbook = _item(_checklist(cast, release), "Runbook updated")
    action = f"{url}{runbook['id']}/confirm/"
    refused = client.post(action, {"evidence_link": "javascript:alert(1)"})
    assert refused.status_code == 400
    assert b"javascript:alert(1)" in refused.content  # kept in the form
    assert b"Enter a valid URL" in refused.content
    done = client.post(action, {"evidence_note": "In Confluence"})
    assert done.status_code == 302
    assert _item(_checklist(cast, release), "Runbook updated")["status"] == "done"
    # the coordinator's own item offers this user no form to confirm it
    rollback = _item(_checklist(cast, release), "Rollback plan")
    assert f"{rollback['id']}/confirm/".encode() not in client.get(url).content


def test_the_release_page_section_names_what_holds_the_go_live(client, cast, make_release):
    release = make_release()
    client.force_login(cast.rm)
    page = client.get(f"/releases/{release.identifier}/")
    assert b'id="readiness"' in page.content
    section = client.get(f"/releases/{release.identifier}/readiness/", HTTP_HX_REQUEST="true")
    assert section.status_code == 200
    assert b"RM.6.2 waits for" in section.content
    assert b"Runbook updated" in section.content


def test_the_process_owner_keeps_the_templates(client, cast, make_release, make_user):
    owner = make_user("petra")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    line = {
        "release_type": "minor",
        "title": "Security scan passed",
        "priority": "high",
        "owner_party": "itsm-infrastructure-manager",
        "days_before_installation": 4,
    }
    assert (
        cast.api(cast.rm).post("/api/v1/checklist-templates/", line, format="json").status_code
        == 403
    )
    added = cast.ok(cast.api(owner).post("/api/v1/checklist-templates/", line, format="json"), 201)
    release = make_release()
    assert _item(_checklist(cast, release), "Security scan")["priority"] == "high"

    changed = cast.ok(
        cast.api(owner).put(
            f"/api/v1/checklist-templates/items/{added['id']}/",
            {**line, "priority": "low", "days_before_installation": 2},
            format="json",
        )
    )
    assert changed["priority"] == "low"
    # the release formalised before keeps its item as it was
    assert _item(_checklist(cast, release), "Security scan")["priority"] == "high"

    client.force_login(owner)
    page = client.get("/checklist-templates/")
    assert page.status_code == 200
    assert b"Security scan passed" in page.content
    bad = client.post("/checklist-templates/", {**line, "days_before_installation": "-3"})
    assert bad.status_code == 400
    assert b"Security scan passed" in bad.content
    removed = client.post(f"/checklist-templates/{added['id']}/remove/")
    assert removed.status_code == 302
    listed = cast.ok(cast.api(cast.rm).get("/api/v1/checklist-templates/"))
    minor = next(t for t in listed if t["release_type"] == "minor")
    assert "Security scan passed" not in [i["title"] for i in minor["items"]]
    client.force_login(cast.rm)
    assert client.post("/checklist-templates/", line).status_code == 403
    assert AuditEntry.objects.filter(action__startswith="checklist_template_item").count() == 3


def test_the_checklist_reads_in_a_fixed_number_of_queries(
    client, cast, make_release, django_assert_max_num_queries
):
    small = make_release(release_type="emergency")
    large = make_release(release_type="major")
    client.force_login(cast.dc)
    for release in (small, large):
        _checklist(cast, release)
        # 15: one of them reads whom the user stands in for as a deputy (once a request)
        with django_assert_max_num_queries(15):
            assert client.get(f"/releases/{release.identifier}/checklist/").status_code == 200
        with django_assert_max_num_queries(10):
            cast.api(cast.dc).get(f"/api/v1/releases/{release.identifier}/checklist/")


def test_a_user_of_two_parties_sees_the_items_of_both_earliest_due_first(
    client, make_release, make_user, monkeypatch
):
    """Each party's items are walked apart and merged: the start page shows the first
    ``CHECKLIST_ITEMS_SHOWN`` of both, in due order, however they interleave."""
    from dashboards import views

    monkeypatch.setattr(views, "CHECKLIST_ITEMS_SHOWN", 3)
    today = timezone.localdate()
    for days in (30, 10):
        make_release(
            planned_delivery_date=today, planned_installation_date=today + datetime.timedelta(days)
        )
    both = make_user("bo", "ITSM Application Manager", "ITSM Configuration Manager")
    client.force_login(both)
    section = start_page(client).split('id="checklist-items"')[1].split("</section>")[0]
    rows = re.findall(r"<tr[^>]*>\s*<td>.*?</tr>", section, re.S)
    assert len(rows) == 3
    dues = [re.search(r"\d{4}-\d\d-\d\d", row).group() for row in rows]
    assert dues == sorted(dues)
    # due 5 days (runbook, application manager) and 1 day (CIs, configuration manager)
    # before the installation in ten days: both parties among the first three
    assert "(Application Manager)" in section
    assert "(Configuration Manager)" in section


def test_the_start_page_lists_the_items_a_user_owes_late_ones_marked(
    client, cast, make_release, people
):
    today = timezone.localdate()
    soon = make_release(
        planned_delivery_date=today, planned_installation_date=today + datetime.timedelta(days=2)
    )
    make_release()
    client.force_login(people["am"])
    page = start_page(client)
    section = page.split('id="checklist-items"')[1].split("</section>")[0]
    assert section.count("Runbook updated") == 2  # the application manager's, of each
    assert "Rollback plan" not in section  # the coordinator's
    assert "late" in section  # due five days before an installation in two
    assert soon.identifier in section
    client.force_login(cast.desk)
    assert "Escalation matrix" in start_page(client)
