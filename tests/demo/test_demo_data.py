from django.core.management import call_command

from raci.models import Party
from releases.models import Release


def test_demo_data_gives_every_party_a_user_and_can_run_twice(db):
    call_command("load_demo")
    call_command("load_demo")
    for party in Party.objects.all():
        holders = party.group.user_set.count() + sum(
            o.group.user_set.count() for o in party.organisations.all()
        )
        assert holders >= 1, party
    assert Release.objects.count() == 12
    assert set(Release.objects.values_list("stage", flat=True)) == {
        "planning",
        "receiving",
        "kickoff",
        "acceptance",
        "authorisation",
        "installation",
        "conformance",
        "closed",
        "rolled_back",
        "cancelled",
    }
    assert Release.objects.filter(assignments__party__name="ITSM Deployment Coordinator").exists()


def test_a_demo_user_can_log_in(client, db):
    call_command("load_demo")
    response = client.post("/login/", {"username": "a3-cust", "password": "demo"})
    assert response.status_code == 302
    assert client.get("/releases/").status_code == 200
