"""Change management through the API: each endpoint's happy path and its refusals (400
naming the field, 403 for the wrong role, 404 for an RfC or a meeting that is not the
caller's, 409 naming what is missing), each change type's path (normal through the CAB,
standard pre-authorised, emergency through the ECAB and reviewed before it closes), the
decision once, the schedule's overlaps and a list whose query count does not grow."""

import base64
import hashlib
import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes import services
from changes.models import ChangeModel, RfC

from .conftest import LOW_RISK, complete, through_cab

pytestmark = pytest.mark.django_db

RFCS = "/api/v1/rfcs/"
MEETINGS = "/api/v1/cab-meetings/"


def as_json(values: dict) -> dict:
    """A request's fields as a JSON body says them: dates as ISO text, applications by
    code."""
    body = {}
    for name, value in values.items():
        if name == "applications":
            value = [a.code for a in value]
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        body[name] = value
    return body


def rfc_path(rfc, rest=""):
    reference = rfc if isinstance(rfc, str) else rfc.reference
    return f"{RFCS}{reference}/{rest}"


def post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json())
    return response.json()


@pytest.fixture
def thread_user(make_user):
    """A DG TAXUD business thread user: raises RfCs, sees those of their releases."""
    return make_user("bruno", "DG TAXUD A3/Cust")


@pytest.fixture
def meeting_of(change_manager):
    def plan(members, kind="cab"):
        return services.plan_meeting(
            by=change_manager,
            kind=kind,
            title="Weekly CAB",
            starts_at=timezone.now() + timedelta(hours=2),
            members=members,
        )

    return plan


def awaiting_cab(draft, change_manager, **extra):
    """A request submitted, assessed and sent to the CAB through the services."""
    rfc = services.fire(draft(**extra), "submit", by=change_manager)
    services.revise_rfc(rfc, by=change_manager, risk_answers=LOW_RISK)
    services.fire(rfc, "assess", by=change_manager)
    return services.fire(rfc, "send_to_cab", by=change_manager)


# --- raising and revising -----------------------------------------------------------


def test_raise_an_rfc_with_every_field(api, requester, application):
    body = {
        "title": "New customs codes",
        **as_json(complete(application)),
        "change_type": "normal",
        "change_model": "Normal change",
        "category": "data",
        "impact": "high",
        "urgency": "medium",
        "risk_answers": LOW_RISK,
        "outage_start": (timezone.now() + timedelta(days=10, hours=1)).isoformat(),
        "outage_end": (timezone.now() + timedelta(days=10, hours=2)).isoformat(),
        "outage_description": "ECS export unavailable in every member state.",
        "backout_impossible_reason": "",
        "reference": "RFC-MINE",  # read-only: the sequence numbers requests
    }
    rfc = ok(post(api(requester), RFCS, body), 201)
    assert rfc["reference"].startswith("RFC-")
    assert rfc["reference"] != "RFC-MINE"
    assert RfC.objects.get(reference=rfc["reference"]).requester == requester
    assert {k: rfc[k] for k in ("status", "requester", "change_model", "applications")} == {
        "status": "draft",
        "requester": "rachel",
        "change_model": "Normal change",
        "applications": ["ecs"],
    }
    assert (rfc["category"], rfc["impact"], rfc["priority"], rfc["risk_level"]) == (
        "data",
        "high",
        "2",
        "low",  # computed from the answers, never typed
    )
    assert rfc["risk_answers"] == LOW_RISK
    assert rfc["outage_description"].startswith("ECS export")
    assert rfc["steps"] == ["submit", "withdraw"]
    assert (rfc["conflicts"], rfc["decisions"], rfc["review"]) == ([], [], None)
    assert ok(api(requester).get(rfc_path(rfc["reference"]))) == rfc


def test_a_change_model_is_named_by_name_or_id_and_defaults_to_the_types(api, requester):
    emergency = ChangeModel.objects.get(change_type="emergency")
    by_id = {"title": "Hotfix", "change_type": "emergency", "change_model": emergency.pk}
    assert ok(post(api(requester), RFCS, by_id), 201)["change_model"] == "Emergency change"
    by_default = {"title": "Routine", "change_type": "standard"}
    assert ok(post(api(requester), RFCS, by_default), 201)["change_model"] == "Standard change"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"title": ""}, "title"),
        ({"change_type": "urgent"}, "change_type"),
        ({"change_model": "No such model"}, "change_model"),
        ({"change_model": "Standard change"}, "change_model"),  # a model of another type
        ({"applications": ["nowhere"]}, "applications"),
        ({"risk_answers": {"tested": "maybe"}}, "risk_answers"),
        ({"risk_answers": {"colour": "red"}}, "risk_answers"),
        ({"risk_answers": "low"}, "risk_answers"),
        (
            {"planned_start": "2027-03-01T10:00:00Z", "planned_end": "2027-03-01T09:00:00Z"},
            "planned_end",
        ),
        (
            {"planned_start": "1999-03-01T10:00:00Z", "planned_end": "1999-03-02T09:00:00Z"},
            "planned_end planned_start",
        ),
        ({"outage_start": "2027-03-01T10:00:00Z"}, "outage_end"),
        ({"planned_start": "9999-12-31T23:59:59"}, "planned_start"),
    ],
)
def test_raising_refuses_bad_input_naming_the_field(api, requester, extra, field):
    response = post(api(requester), RFCS, {"title": "A change", **extra})
    assert response.status_code == 400, response.json()
    assert sorted(response.json()) == field.split(), response.json()
    assert not RfC.objects.exists()


def test_a_developer_does_not_raise_rfcs(api, make_user, organisation):
    developer = make_user("dev", groups=[organisation.group])
    response = post(api(developer), RFCS, {"title": "A change"})
    assert response.status_code == 403
    assert not RfC.objects.exists()


def test_patch_revises_until_the_decision(api, draft, requester, change_manager, members):
    rfc = draft()
    revised = ok(api(requester).patch(rfc_path(rfc), {"title": "Renamed"}, format="json"))
    assert (revised["title"], revised["description"]) == ("Renamed", rfc.description)
    services.fire(rfc, "submit", by=requester)
    # the requester's draft is submitted: now the change manager's to edit
    response = api(requester).patch(rfc_path(rfc), {"title": "Again"}, format="json")
    assert response.status_code == 403
    body = {"risk_answers": LOW_RISK, "urgency": "high"}
    revised = ok(api(change_manager).patch(rfc_path(rfc), body, format="json"))
    assert (revised["risk_answers"], revised["priority"]) == (LOW_RISK, "2")
    rfc, _ = through_cab(RfC.objects.get(pk=rfc.pk), by=change_manager, members=members)
    response = api(change_manager).patch(rfc_path(rfc), {"title": "Late"}, format="json")
    assert response.status_code == 409
    assert "before the CAB hears it" in response.json()["detail"]


def test_patch_refuses_bad_input_naming_the_field(api, draft, requester):
    rfc = draft()
    response = api(requester).patch(rfc_path(rfc), {"impact": "huge"}, format="json")
    assert list(response.json()) == ["impact"]
    response = api(requester).patch(
        rfc_path(rfc), {"change_model": "Standard change"}, format="json"
    )
    assert list(response.json()) == ["change_model"]  # a model of another type
    body = {"change_type": "emergency"}  # a new type without a model: the type's default
    assert ok(api(requester).patch(rfc_path(rfc), body, format="json"))["change_model"] == (
        "Emergency change"
    )


# --- steps ------------------------------------------------------------------------------


def test_submitting_an_incomplete_draft_names_what_is_missing(api, requester):
    reference = ok(post(api(requester), RFCS, {"title": "Too short"}), 201)["reference"]
    response = post(api(requester), rfc_path(reference, "steps/submit/"))
    assert response.status_code == 409
    assert response.json()["missing"] == [
        "a description of the change",
        "the reason for it",
        "the applications it affects",
        "its planned start and end",
        "a remediation plan (the back-out, or why none is possible)",
    ]
    assert RfC.objects.get(reference=reference).status == "draft"


def test_steps_refused_for_the_wrong_role_unknown_name_or_no_reason(api, draft, requester):
    rfc = draft()
    client = api(requester)
    assert post(client, rfc_path(rfc, "steps/approve/")).status_code == 404
    assert post(client, rfc_path(rfc, "steps/assess/")).status_code == 403
    response = post(client, rfc_path(rfc, "steps/withdraw/"), {"reason": "  "})
    assert (response.status_code, list(response.json())) == (400, ["reason"])
    response = post(client, rfc_path(rfc, "steps/withdraw/"), {"reason": "Not needed"})
    assert (ok(response)["status"], ok(response)["steps"]) == ("withdrawn", [])
    assert post(client, rfc_path(rfc, "steps/submit/")).status_code == 409


def test_the_normal_path_through_the_api(api, draft, requester, change_manager, members):
    reference = draft().reference
    manager = api(change_manager)
    rfc = ok(post(api(requester), rfc_path(reference, "steps/submit/")))
    assert (rfc["status"], rfc["steps"]) == ("submitted", ["withdraw"])
    assert "assess" in ok(manager.get(rfc_path(reference)))["steps"]
    response = post(manager, rfc_path(reference, "steps/assess/"))
    assert response.status_code == 409
    assert response.json()["missing"][0].startswith("an answer to: ")
    ok(manager.patch(rfc_path(reference), {"risk_answers": LOW_RISK}, format="json"))
    assert ok(post(manager, rfc_path(reference, "steps/assess/")))["risk_level"] == "low"
    ok(post(manager, rfc_path(reference, "steps/send_to_cab/")))

    meeting = ok(
        post(
            manager,
            MEETINGS,
            {
                "kind": "cab",
                "title": "Weekly CAB",
                "starts_at": (timezone.now() + timedelta(hours=2)).isoformat(),
                "location": "Room 3",
                "members": [m.username for m in members],
            },
        ),
        201,
    )
    assert (meeting["chair"], meeting["quorum"]) == ("chris", 2)
    assert [m["username"] for m in meeting["members"]] == ["ivan", "carl", "sam"]
    path = f"{MEETINGS}{meeting['id']}/"
    meeting = ok(post(manager, f"{path}agenda/", {"rfcs": [reference]}), 201)
    assert [item["rfc"] for item in meeting["agenda"]] == [reference]

    response = post(manager, f"{path}decisions/", {"rfc": reference, "outcome": "authorised"})
    assert response.status_code == 409
    assert response.json()["missing"] == ["the advice of 2 more member(s) (quorum 2)"]
    for member, verdict in zip(members[:2], ("approve", "abstain"), strict=True):
        body = {"rfc": reference, "verdict": verdict, "comment": "Fine"}
        ok(post(api(member), f"{path}advice/", body), 201)
    body = {"rfc": reference, "outcome": "authorised", "conditions": "After 18:00"}
    meeting = ok(post(manager, f"{path}decisions/", body), 201)
    [item] = meeting["agenda"]
    assert [(a["member"], a["verdict"]) for a in item["advice"]] == [
        ("ivan", "approve"),
        ("carl", "abstain"),
    ]
    assert (item["decision"]["outcome"], item["decision"]["conditions"]) == (
        "authorised",
        "After 18:00",
    )
    assert item["status"] == "authorised"

    rfc = ok(api(requester).get(rfc_path(reference)))
    assert rfc["status"] == "authorised"
    assert [(d["meeting"], d["outcome"], d["decided_by"]) for d in rfc["decisions"]] == [
        (meeting["id"], "authorised", "chris")
    ]
    # a decision is recorded once
    body = {"rfc": reference, "outcome": "rejected"}
    response = post(manager, f"{path}decisions/", body)
    assert response.status_code == 409
    assert "recorded once" in response.json()["detail"]


def test_a_standard_change_is_authorised_by_its_model(api, requester, application):
    body = {"title": "Rotate certificates", "change_type": "standard"}
    body |= as_json(complete(application, days=3))
    reference = ok(post(api(requester), RFCS, body), 201)["reference"]
    rfc = ok(post(api(requester), rfc_path(reference, "steps/submit/")))
    assert (rfc["status"], rfc["change_model"]) == ("authorised", "Standard change")
    assert rfc["authorised_at"] is not None


def test_the_emergency_path_through_the_ecab_and_the_review(
    api, requester, change_manager, members, application
):
    manager = api(change_manager)
    body = {"title": "Fix the broken export", "change_type": "emergency"}
    body |= as_json(complete(application, days=0))
    reference = ok(post(api(requester), RFCS, body), 201)["reference"]
    ok(post(api(requester), rfc_path(reference, "steps/submit/")))
    ok(post(manager, rfc_path(reference, "steps/send_to_cab/")))  # no assessment first
    meeting = {
        "kind": "ecab",
        "title": "ECAB",
        "starts_at": timezone.now().isoformat(),
        "members": [members[0].username],
    }
    meeting = ok(post(manager, MEETINGS, meeting), 201)
    assert meeting["quorum"] == 1
    path = f"{MEETINGS}{meeting['id']}/"
    meeting = ok(post(manager, f"{path}agenda/", {"build": True}), 201)
    assert [item["rfc"] for item in meeting["agenda"]] == [reference]
    ok(post(api(members[0]), f"{path}advice/", {"rfc": reference, "verdict": "approve"}), 201)
    ok(post(manager, f"{path}decisions/", {"rfc": reference, "outcome": "authorised"}), 201)

    rfc = ok(post(manager, rfc_path(reference, "steps/implement/")))
    assert (rfc["status"], rfc["review_required"]) == ("implemented", True)
    response = post(manager, rfc_path(reference, "steps/close/"))
    assert response.status_code == 409
    assert response.json()["missing"] == [
        "a post-implementation review (emergency and failed changes need one)"
    ]
    review = {"objective_met": True, "incidents": "", "lessons": "Test the export first."}
    assert post(api(requester), rfc_path(reference, "review/"), review).status_code == 403
    response = post(manager, rfc_path(reference, "review/"), {"lessons": "No verdict"})
    assert (response.status_code, list(response.json())) == (400, ["objective_met"])
    rfc = ok(post(manager, rfc_path(reference, "review/"), review), 201)
    assert rfc["status"] == "reviewed"
    assert (rfc["review"]["objective_met"], rfc["review"]["reviewed_by"]) == (True, "chris")
    assert post(manager, rfc_path(reference, "review/"), review).status_code == 409
    assert ok(post(manager, rfc_path(reference, "steps/close/")))["status"] == "closed"


# --- who sees what ------------------------------------------------------------------------


def test_another_requesters_rfc_is_not_found_by_a_thread_user(
    api, draft, thread_user, requester, make_release, release_manager, change_manager, members
):
    hidden = draft(title="Hidden change")
    theirs = ok(post(api(thread_user), RFCS, {"title": "Their own"}), 201)["reference"]
    client = api(thread_user)
    for path in (
        rfc_path(hidden),
        rfc_path(hidden, "history/"),
        rfc_path(hidden, "attachments/"),
    ):
        assert client.get(path).status_code == 404, path
    assert client.patch(rfc_path(hidden), {"title": "Mine"}, format="json").status_code == 404
    body = {"reason": "Not needed"}
    assert post(client, rfc_path(hidden, "steps/withdraw/"), body).status_code == 404
    assert post(client, rfc_path(hidden, "review/"), {"objective_met": True}).status_code == 404
    listed = [r["reference"] for r in ok(client.get(RFCS))["results"]]
    assert listed == [theirs]
    assert ok(client.get(RFCS, {"q": hidden.reference}))["results"] == []

    # carried by a release of their thread, the request is theirs to see
    rfc, _ = through_cab(hidden, by=change_manager, members=members)
    services.include_rfc(make_release(threads=("a3-cust",)), by=release_manager, rfc=rfc)
    assert ok(client.get(rfc_path(rfc)))["steps"] == []
    assert {r["reference"] for r in ok(client.get(RFCS))["results"]} == {theirs, rfc.reference}


def test_conflicts_name_only_the_rfcs_the_caller_sees(
    api, draft, thread_user, change_manager, application
):
    mine = services.raise_rfc(by=thread_user, title="Mine", **complete(application))
    other = services.fire(draft(title="Overlapping"), "submit", by=change_manager)
    services.fire(mine, "submit", by=thread_user)
    assert ok(api(change_manager).get(rfc_path(mine)))["conflicts"] == [other.reference]
    assert ok(api(thread_user).get(rfc_path(mine)))["conflicts"] == []


def test_a_meeting_is_seen_by_its_members_and_the_change_managers(
    api, meeting_of, members, thread_user, change_manager, make_user
):
    meeting = meeting_of([members[0], thread_user])
    other = meeting_of([members[1]])
    path = f"{MEETINGS}{meeting.pk}/"
    assert ok(api(thread_user).get(path))["title"] == "Weekly CAB"
    assert [m["id"] for m in ok(api(thread_user).get(MEETINGS))["results"]] == [meeting.pk]
    assert {m["id"] for m in ok(api(change_manager).get(MEETINGS))["results"]} == {
        meeting.pk,
        other.pk,
    }
    stranger = make_user("exc", "DG TAXUD A3/Exc")
    for path in (f"{MEETINGS}{meeting.pk}/", f"{MEETINGS}987654/"):
        assert api(stranger).get(path).status_code == 404
        for action in ("agenda", "advice", "decisions", "minutes"):
            assert post(api(stranger), f"{path}{action}/", {}).status_code == 404
    assert ok(api(stranger).get(MEETINGS))["results"] == []


# --- the CAB's refusals ---------------------------------------------------------------------


def test_planning_a_meeting_is_the_change_managers(api, requester, change_manager, members):
    body = {
        "kind": "cab",
        "title": "CAB",
        "starts_at": "2027-03-01T10:00:00Z",
        "members": [members[0].username],
    }
    assert post(api(requester), MEETINGS, body).status_code == 403
    for extra, field in (
        ({"members": []}, "members"),
        ({"members": ["nobody"]}, "members"),
        ({"kind": "board"}, "kind"),
        ({"starts_at": "1999-01-01T10:00:00Z"}, "starts_at"),
        ({"starts_at": "soon"}, "starts_at"),
    ):
        response = post(api(change_manager), MEETINGS, body | extra)
        assert (response.status_code, list(response.json())) == (400, [field]), extra


def test_agenda_refusals(api, meeting_of, members, draft, change_manager):
    meeting = meeting_of(members)
    path = f"{MEETINGS}{meeting.pk}/agenda/"
    rfc = draft()
    manager = api(change_manager)
    for body in ({}, {"rfcs": []}, {"build": False}, {"rfcs": ["RFC-NOWHERE"]}):
        response = post(manager, path, body)
        assert (response.status_code, list(response.json())) == (400, ["rfcs"]), body
    response = post(manager, path, {"rfcs": [rfc.reference]})  # a draft
    assert (response.status_code, list(response.json())) == (400, ["rfcs"])
    assert "draft" in response.json()["rfcs"][0]
    ready = awaiting_cab(draft, change_manager)
    assert post(api(members[0]), path, {"rfcs": [ready.reference]}).status_code == 403
    ok(post(manager, path, {"rfcs": [ready.reference]}), 201)
    ok(post(manager, f"{MEETINGS}{meeting.pk}/minutes/", {"minutes": "Heard it."}))
    response = post(manager, path, {"build": True})
    assert response.status_code == 409


def test_advice_refusals(api, meeting_of, members, draft, change_manager):
    meeting = meeting_of(members[:2])
    path = f"{MEETINGS}{meeting.pk}/advice/"
    ready = awaiting_cab(draft, change_manager)
    elsewhere = awaiting_cab(draft, change_manager, title="Not on the agenda")
    services.put_on_agenda(meeting, by=change_manager, rfcs=[ready])
    member = api(members[0])
    body = {"rfc": ready.reference, "verdict": "approve"}
    assert post(api(change_manager), path, body).status_code == 403  # not a member
    response = post(member, path, body | {"verdict": "yes"})
    assert (response.status_code, list(response.json())) == (400, ["verdict"])
    response = post(member, path, body | {"rfc": elsewhere.reference})
    assert (response.status_code, list(response.json())) == (400, ["rfc"])
    meeting = ok(post(member, path, body | {"comment": "Tested in pSAT"}), 201)
    assert meeting["agenda"][0]["advice"][0]["comment"] == "Tested in pSAT"
    response = post(member, path, body)
    assert response.status_code == 409
    assert "once" in response.json()["detail"]


def test_decision_refusals(api, meeting_of, members, draft, change_manager):
    meeting = meeting_of(members[:1])
    path = f"{MEETINGS}{meeting.pk}/decisions/"
    ready = awaiting_cab(draft, change_manager)
    services.put_on_agenda(meeting, by=change_manager, rfcs=[ready])
    services.give_advice(meeting, by=members[0], rfc=ready, verdict="reject")
    body = {"rfc": ready.reference, "outcome": "rejected", "conditions": ""}
    assert post(api(members[0]), path, body).status_code == 403
    response = post(api(change_manager), path, body | {"outcome": "maybe"})
    assert (response.status_code, list(response.json())) == (400, ["outcome"])
    meeting = ok(post(api(change_manager), path, body), 201)
    assert meeting["agenda"][0]["status"] == "rejected"
    assert post(api(change_manager), path, body).status_code == 409


def test_minutes_are_recorded_once(api, meeting_of, members, change_manager):
    meeting = meeting_of(members)
    path = f"{MEETINGS}{meeting.pk}/minutes/"
    assert post(api(members[0]), path, {"minutes": "Notes"}).status_code == 403
    response = post(api(change_manager), path, {"minutes": "   "})
    assert (response.status_code, list(response.json())) == (400, ["minutes"])
    sent = ok(post(api(change_manager), path, {"minutes": "Heard nothing."}))
    assert (sent["minutes"], sent["minutes_sent_at"] is not None) == ("Heard nothing.", True)
    assert post(api(change_manager), path, {"minutes": "Again"}).status_code == 409


# --- attachments and history ------------------------------------------------------------


def document(name="api-design.pdf", content=b"%PDF-1.4 design"):
    """A document (a name of its own: files stored by other tests stay on disk)."""
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_attachments_are_uploaded_listed_and_downloaded(
    api, draft, requester, release_manager, thread_user
):
    rfc = draft()
    path = rfc_path(rfc, "attachments/")
    content = b"%PDF-1.4 the design"
    client = api(requester)
    response = client.post(path, {"file": document(content=content), "title": "Design"})
    entry = ok(response, 201)
    digest = hashlib.sha256(content).hexdigest()
    assert (entry["title"], entry["sha256"], entry["size"]) == ("Design", digest, len(content))
    # the storage's name: the upload's, or with a suffix where one of that name is kept
    assert entry["name"].startswith("api-design")
    assert entry["name"].endswith(".pdf")
    assert entry["download"] == f"{path}{entry['id']}/"
    assert ok(client.get(path)) == [entry]

    response = client.get(entry["download"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    encoded = base64.b64encode(bytes.fromhex(digest)).decode()
    assert response["Repr-Digest"] == f"sha-256=:{encoded}:"
    # another RfC's path does not reach it, nor does an outsider
    other = draft(title="Other")
    assert client.get(rfc_path(other, f"attachments/{entry['id']}/")).status_code == 404
    assert api(thread_user).get(entry["download"]).status_code == 404
    assert api(thread_user).post(path, {"file": document()}).status_code == 404

    # ITSM staff see it, but only its requester and the change manager attach documents
    assert api(release_manager).get(entry["download"]).status_code == 200
    assert api(release_manager).post(path, {"file": document()}).status_code == 403
    response = client.post(path, {"file": document("virus.exe")})
    assert (response.status_code, list(response.json())) == (400, ["file"])
    response = client.post(path, {"title": "No file"})
    assert (response.status_code, list(response.json())) == (400, ["file"])
    assert client.post(path, {"file": "x"}, format="json").status_code == 415
    services.fire(rfc, "withdraw", by=requester, reason="Not needed")
    assert client.post(path, {"file": document()}).status_code == 409


def test_history_lists_the_audit_entries(api, draft, requester):
    rfc = draft()
    post(api(requester), rfc_path(rfc, "steps/submit/"))
    entries = ok(api(requester).get(rfc_path(rfc, "history/")))["results"]
    assert [e["action"] for e in entries] == ["rfc_raised", "rfc_submit"]
    assert entries[1]["changes"]["status"] == ["draft", "submitted"]
    assert entries[0]["actor"] == "Rachel (rachel)"


# --- the schedule and the list ------------------------------------------------------------


def test_the_schedule_flags_overlapping_changes(
    api, draft, change_manager, members, application, make_user
):
    first, _ = through_cab(draft(title="First"), by=change_manager, members=members)
    second, _ = through_cab(draft(title="Second"), by=change_manager, members=members)
    later, _ = through_cab(draft(title="Later", days=40), by=change_manager, members=members)
    slots = ok(api(change_manager).get(f"{RFCS}schedule/"))
    assert [(s["reference"], s["overlap"], s["overlaps"]) for s in slots] == [
        (first.reference, True, [second.reference]),
        (second.reference, True, [first.reference]),
        (later.reference, False, []),
    ]
    assert slots[0]["applications"] == ["ecs"]
    window = {"start": (timezone.now() + timedelta(days=30)).date().isoformat()}
    slots = ok(api(change_manager).get(f"{RFCS}schedule/", window))
    assert [s["reference"] for s in slots] == [later.reference]
    assert ok(api(change_manager).get(f"{RFCS}schedule/", {"application": "ecs"}))
    # a business thread user sees none of these requests, so none of their windows
    assert ok(api(make_user("exc", "DG TAXUD A3/Exc")).get(f"{RFCS}schedule/")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "yesterday"}, "start"),
        ({"end": "2027-02-30"}, "end"),
        ({"start": "2027-03-01", "end": "2027-02-01"}, "end"),
        ({"start": "0001-01-01"}, "start"),
        ({"application": "nowhere"}, "application"),
    ],
)
def test_the_schedule_refuses_bad_parameters_naming_them(api, change_manager, query, field):
    response = api(change_manager).get(f"{RFCS}schedule/", query)
    assert (response.status_code, list(response.json())) == (400, [field])


def test_the_list_filters(api, draft, requester, change_manager, members, make_user, application):
    authorised, _ = through_cab(draft(title="Export codes"), by=change_manager, members=members)
    plain = draft(title="Transit codes")
    emergency = draft(title="Hotfix", change_type="emergency", change_model=None)
    client = api(change_manager)

    def listed(**query):
        return [r["reference"] for r in ok(client.get(RFCS, query))["results"]]

    assert listed() == [emergency.reference, plain.reference, authorised.reference]
    assert listed(status="authorised") == [authorised.reference]
    assert listed(change_type="emergency") == [emergency.reference]
    assert listed(risk_level="low") == [authorised.reference]
    assert listed(q="transit") == [plain.reference]
    assert listed(q=authorised.reference.lower()) == [authorised.reference]
    assert len(listed(application="ECS")) == 3
    assert listed(application="ncts") == []
    response = client.get(RFCS, {"status": "lost"})
    assert (response.status_code, list(response.json())) == (400, ["status"])


def test_the_list_costs_the_same_queries_for_3_or_30_rfcs(
    api, requester, application, thread_user, make_release, release_manager
):
    def count(user):
        client = api(user)
        client.get(RFCS)  # the session and the user's parties, cached afterwards
        with CaptureQueriesContext(connection) as queries:
            assert client.get(RFCS).status_code == 200
        return len(queries)

    def add(n):
        for i in range(n):
            services.raise_rfc(by=requester, title=f"Change {i}", **complete(application))
            services.raise_rfc(by=thread_user, title=f"Theirs {i}", applications=[application])

    add(3)
    before = (count(requester), count(thread_user))
    add(27)
    assert (count(requester), count(thread_user)) == before
    assert ok(api(requester).get(RFCS))["count"] == 60


def test_change_models_are_listed(api, thread_user):
    models = ok(api(thread_user).get("/api/v1/change-models/"))
    assert [(m["name"], m["change_type"], m["pre_authorised"]) for m in models] == [
        ("Emergency change", "emergency", False),
        ("Normal change", "normal", False),
        ("Standard change", "standard", True),
    ]


@pytest.mark.parametrize(
    "answers",
    [
        {"tested": "ful\ud800ly"},
        {"tes\x00ted": "fully"},
        {"tested": "fully\x1b[31m"},
        {"tested": "fully\nand more"},
        {"tested": {"nested": "fully"}},
        {"tested": 3},
        {"t" * 41: "fully"},
    ],
)
def test_risk_answers_refuse_hostile_keys_and_values(api, requester, answers):
    """Inside the object too: refused on the field, the bad characters not echoed."""
    body = json.dumps({"title": "A change", "risk_answers": answers})  # ASCII: \\ud800 travels
    response = api(requester).generic("POST", RFCS, body, content_type="application/json")
    assert (response.status_code, list(response.json())) == (400, ["risk_answers"])
    said = json.dumps(response.json(), ensure_ascii=False)
    assert not any(bad in said for bad in ("\ud800", "\x00", "\x1b", "\n"))
    assert not RfC.objects.exists()
