"""What a client needs ids from is readable through the API: the plan's components and
tasks, the kick-off, the closure, the transitions with what each still needs, and the
people and organisations a form names."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releasemgmt.notifications.models import Communication, Recipient
from tests.lifecycle import PLAN


def test_the_plan_gives_the_component_ids_rm_2_2_needs(cast, release_at):
    release = release_at("receiving")
    client = cast.api(cast.dc)
    plan = client.get(f"/api/v1/releases/{release.identifier}/plan/").json()
    ids = [c["id"] for c in plan["components"]]
    assert len(ids) == len(PLAN["components"].splitlines())
    assert plan["rollback_plan"]["last_known_good_build"] == PLAN["last_known_good_build"]
    response = cast.perform(cast.dc, release, "RM.2.2", {"delivered": ids})
    cast.ok(response)
    assert release.completeness_checks.get().complete


def test_records_not_there_yet_answer_404(cast, make_release):
    release = make_release()
    client = cast.api(cast.rm)
    for record in ("plan", "kickoff", "closure"):
        response = client.get(f"/api/v1/releases/{release.identifier}/{record}/")
        assert response.status_code == 404, record
        assert response.json()["detail"]


def test_transitions_say_what_each_still_needs(cast, make_release):
    release = make_release()
    states = cast.api(cast.rm).get(f"/api/v1/releases/{release.identifier}/transitions/")
    by_name = {s["name"]: s for s in cast.ok(states)}
    assert by_name["receive"]["possible_from_stage"] is True
    assert by_name["receive"]["may_fire"] is True
    assert "RM.1.3 Initialise Deployment Plan" in " ".join(by_name["receive"]["missing"])
    assert by_name["cancel"]["needs_reason"] is True
    assert by_name["close"]["possible_from_stage"] is False
    assert by_name["close"]["missing"] == []


def test_people_and_organisations_for_the_forms_that_name_them(cast, organisation):
    client = cast.api(cast.rm)
    people = cast.ok(client.get("/api/v1/raci/people/?party=itsm-deployment-coordinator"))
    assert [p["username"] for p in people["results"]] == [cast.dc.username]
    assert "itsm-deployment-coordinator" in people["results"][0]["parties"]
    orgs = cast.ok(client.get("/api/v1/raci/organisations/"))
    assert {"name": "Acme Software"} in orgs
    assert cast.api(cast.cust).get("/api/v1/raci/people/").status_code == 403


@pytest.mark.parametrize(
    "party", ["%00", "ab%0Acd", "%ED%A0%80", "x" * 5000, "no-such-party", "99999999999999999999"]
)
def test_people_of_a_party_that_is_not_one_are_a_400_naming_it(cast, party):
    """A NUL reached the database and answered 500; an unknown slug answered nobody."""
    response = cast.api(cast.rm).get(f"/api/v1/raci/people/?party={party}")
    assert response.status_code == 400
    body = response.json()
    assert "party" in body
    assert "\x00" not in response.content.decode()


def test_a_release_reads_in_the_same_queries_however_many_hold_it(cast, make_release):
    """Its holders come with their parties, people and groups in one query (issue 17:
    the release manager's detail took one query per holder, 29 for an ordinary release)."""
    client = cast.api(cast.rm)

    def read(release) -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(f"/api/v1/releases/{release.identifier}/")
        return len(ctx.captured_queries), cast.ok(response)["assignments"]

    read(make_release(threads=["a3-cust"]))  # the first read of the process's caches
    few, holders = read(make_release(threads=["a3-cust"]))
    many, more = read(make_release(threads=["a3-cust", "a3-liso", "a3-tax", "a4-cpt"]))
    assert many == few
    assert len(more) == len(holders) + 3
    assert {"party": "DG TAXUD A3/LISO", "holder": "DG TAXUD A3/LISO", "kind": "group"} in more
    assert {"party": "ITSM Release Manager", "holder": cast.rm.username, "kind": "person"} in more


def test_a_release_s_communications_list_their_addressees_in_the_same_queries(
    cast, make_release, make_user
):
    """Newest first, each with its addressees in the order they were written; read as
    values, two queries however many were told (issue 17)."""
    release = make_release()
    client = cast.api(cast.rm)
    path = f"/api/v1/releases/{release.identifier}/communications/"

    def told(subject: str, people) -> Communication:
        sent = Communication.objects.create(
            release=release,
            activity="RM.1.2",
            kind=Communication.Kind.PROCESS,
            interface="Roles assigned",
            subject=subject,
            body="Body",
            link=f"/releases/{release.identifier}/",
        )
        for person, role in people:
            Recipient.objects.create(communication=sent, user=person, role=role)
        return sent

    def read() -> tuple[int, list[dict]]:
        with CaptureQueriesContext(connection) as ctx:
            answer = cast.ok(client.get(path))
        return len(ctx.captured_queries), answer

    before = Communication.objects.filter(release=release).count()
    cast.ok(client.get(path))  # the first call reads the user's permissions, kept after
    told("First", [(cast.dc, Recipient.Role.TO)])
    queries, answer = read()
    assert answer[0]["subject"] == "First"
    assert answer[0]["recipients"] == [{"user": cast.dc.username, "role": "to"}]
    many = [make_user(f"reader{i}") for i in range(12)]
    told("Second", [(cast.rm, Recipient.Role.TO), *[(p, Recipient.Role.CC) for p in many]])
    more_queries, answer = read()
    assert more_queries == queries
    assert [c["subject"] for c in answer[:2]] == ["Second", "First"]
    assert len(answer) == before + 2
    assert answer[0]["recipients"][0] == {"user": cast.rm.username, "role": "to"}
    assert [r["user"] for r in answer[0]["recipients"][1:]] == [p.username for p in many]
    assert set(answer[0]) == {
        "id", "activity", "kind", "interface", "subject", "body", "link", "created_at",
        "recipients",
    }  # fmt: skip
