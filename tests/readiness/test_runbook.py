"""The runbook (seed 002 sections 3 and 7.1): written section by section by those who
prepare the installation, V0 for an application's first release and a copy of the
version before for the next one, marked complete before RM.6.2, printable, with who
edited what. Through the API and the pages."""

import pytest

from readiness.models import RunbookSection
from releasemgmt.audit.models import AuditEntry
from tests.lifecycle import RUNBOOK

pytestmark = pytest.mark.django_db


def _runbook(cast, release, user=None):
    return cast.ok(cast.api(user or cast.dc).get(f"/api/v1/releases/{release.identifier}/runbook/"))


def _write(cast, user, release, section, text):
    return cast.api(user).post(
        f"/api/v1/releases/{release.identifier}/runbook/sections/",
        {"section": section, "text": text},
        format="json",
    )


def _complete(cast, user, release, note=""):
    return cast.api(user).post(
        f"/api/v1/releases/{release.identifier}/runbook/complete/",
        {"change_note": note},
        format="json",
    )


def _write_all(cast, release, user=None, change=""):
    for section, text in RUNBOOK.items():
        cast.ok(_write(cast, user or cast.dc, release, section, text + change))


def test_the_first_release_writes_v0_and_the_next_starts_from_a_copy(cast, make_release):
    first = make_release()
    body = _runbook(cast, first)
    assert (body["version"], body["started"], body["based_on"]) == ("V0", False, None)
    assert body["missing"] == [f"Runbook version of {first.identifier} marked complete"]

    _write_all(cast, first)
    refused = _complete(cast, cast.dc, first)  # V0 needs no note, but every section
    assert refused.status_code == 200, refused.json()
    done = _runbook(cast, first)
    assert done["complete"]
    assert done["completed_by"] == cast.dc.username
    assert done["missing"] == []
    again = _write(cast, cast.dc, first, "slas", "Changed after completion")
    assert again.status_code == 409

    second = make_release(version="3.3.0")
    body = _runbook(cast, second)
    assert (body["version"], body["based_on"]) == ("V1", "V0")
    assert {s["section"]: s["text"] for s in body["sections"]} == RUNBOOK  # copied forward
    cast.ok(_write(cast, cast.rm, second, "known_errors", "KE-12: slow first login"))
    no_note = _complete(cast, cast.rm, second)
    assert no_note.status_code == 400
    assert "change_note" in no_note.json()
    cast.ok(_complete(cast, cast.rm, second, "Known error KE-12 added"))
    body = _runbook(cast, second)
    assert body["complete"]
    assert body["change_note"] == "Known error KE-12 added"
    assert [(e["section"], e["edited_by"]) for e in body["edits"]] == [
        ("known_errors", cast.rm.username)
    ]
    actions = set(AuditEntry.objects.filter(release=second).values_list("action", flat=True))
    assert {"runbook_started", "runbook_section_edited", "runbook_completed"} <= actions


def test_an_empty_section_holds_completion_and_readers_may_not_write(cast, make_release, make_user):
    release = make_release()
    cast.ok(_write(cast, cast.dc, release, "key_steps", "Deploy"))
    refused = _complete(cast, cast.dc, release)
    assert refused.status_code == 409
    assert "Runbook section: Known errors" in refused.json()["missing"]

    desk = cast.desk  # sees every release, holds no party on it
    assert _runbook(cast, release, desk)["may_write"] is False
    assert _write(cast, desk, release, "slas", "99%").status_code == 403
    assert _write(cast, cast.cust, release, "slas", "99%").status_code == 403
    bad = _write(cast, cast.dc, release, "chapter_9", "x")
    assert bad.status_code == 400
    assert "section" in bad.json()
    outsider = make_user("olga", "DG TAXUD A3/Tax")
    assert _write(cast, outsider, release, "slas", "99%").status_code == 404
    assert (
        cast.api(outsider).get(f"/api/v1/releases/{release.identifier}/runbook/").status_code == 404
    )


def test_go_live_waits_for_the_runbook(release_at, cast):
    release = release_at("installation")
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.1", {"message": "Downtime Saturday", "disruption": "2 hours"}))
    refused = p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"})
    assert refused.status_code == 409
    assert f"Runbook version of {release.identifier} marked complete" in refused.json()["missing"]
    _write_all(cast, release)
    cast.ok(_complete(cast, cast.dc, release))
    refused = p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"})
    assert not any(m.startswith("Runbook V0") for m in refused.json()["missing"])


def test_the_pages_edit_complete_and_print(client, cast, make_release):
    release = make_release()
    client.force_login(cast.dc)
    url = f"/releases/{release.identifier}/runbook/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Runbook V0" in page.content
    bad = client.post(f"{url}sections/", {"section": "slas", "text": "99%\x00"})
    assert bad.status_code == 400
    assert b"99%" in bad.content  # what was typed stays
    saved = client.post(f"{url}sections/", {"section": "slas", "text": "99.5% office hours"})
    assert saved.status_code == 302
    assert saved.url.endswith("#section-slas")
    refused = client.post(f"{url}complete/", {"change_note": ""})
    assert refused.status_code == 409
    assert b"empty sections" in refused.content
    for section in RunbookSection.values:
        client.post(f"{url}sections/", {"section": section, "text": RUNBOOK[section]})
    assert client.post(f"{url}complete/", {}).status_code == 302
    page = client.get(url)
    assert b"Complete" in page.content
    assert b"Edit history" in page.content
    printed = client.get(f"{url}print/")
    assert printed.status_code == 200
    assert b"topbar" not in printed.content
    assert RUNBOOK["slas"].encode() in printed.content
    client.force_login(cast.desk)
    assert b"Edit key steps" not in client.get(url).content
    assert client.post(f"{url}sections/", {"section": "slas", "text": "x"}).status_code == 403


def test_the_runbook_reads_in_a_fixed_number_of_queries(
    client, cast, make_release, django_assert_max_num_queries
):
    release = make_release()
    client.force_login(cast.dc)
    url = f"/releases/{release.identifier}/runbook/"
    for round_ in range(3):
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200
        with django_assert_max_num_queries(10):
            assert client.get(f"{url}print/").status_code == 200
        for section in RunbookSection.values:
            client.post(f"{url}sections/", {"section": section, "text": f"{section} {round_}"})
