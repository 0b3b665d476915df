"""Table 4-1 in the UI and the API; a process owner changes a cell and permissions follow."""

from django.contrib.auth.models import Permission

from raci import permissions as raci
from releasemgmt.audit.models import AuditEntry


def test_matrix_page_renders_table_4_1_with_links_to_descriptions(client, make_user):
    client.force_login(make_user("desk", "ITSM Service Desk"))
    page = client.get("/raci/").content.decode()
    assert page.count('href="/raci/activities/#rm-') == 24
    assert "DG TAXUD A3/LISO" in page
    activities = client.get("/raci/activities/").content.decode()
    assert 'id="rm-4-1"' in activities
    assert "GO/NOGO decision" in activities  # RM.4.1's text from section 4.4


def test_api_lists_parties_and_activities(api, make_user):
    client = api(make_user("desk", "ITSM Service Desk"))
    parties = client.get("/api/v1/raci/parties/").json()
    assert len(parties) == 16
    activity = client.get("/api/v1/raci/activities/RM.6.4/").json()
    assert activity["raci"]["ITSM Deployment Coordinator"] == "RA"
    assert activity["raci"]["DG TAXUD A3/Cust"] == "CI"


def test_only_a_process_owner_may_change_a_cell(api, client, make_user):
    user = make_user("desk", "ITSM Service Desk")
    response = api(user).put("/api/v1/raci/activities/RM.2.1/raci/a3-cust/", {"letters": "R"})
    assert response.status_code == 403
    client.force_login(user)
    assert client.post("/raci/cells/RM.2.1/a3-cust/", {"letters": "R"}).status_code == 403


def test_changing_a_cell_regrants_permissions_and_is_audited(
    api, client, make_release, make_user, django_capture_on_commit_callbacks
):
    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    release = make_release(threads=["a3-cust"])
    cust = make_user("cust", "DG TAXUD A3/Cust")
    assert not raci.may_perform(cust, release, "RM.2.1")

    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = api(owner).put("/api/v1/raci/activities/RM.2.1/raci/a3-cust/", {"letters": "rc"})
    assert response.status_code == 200, response.json()
    assert len(queued) == 1  # the permission resync is queued after commit
    assert response.json()["raci"]["DG TAXUD A3/Cust"] == "RC"
    cust.__dict__.pop("_release_perm_cache", None)
    assert raci.may_perform(cust, release, "RM.2.1")
    entry = AuditEntry.objects.get(action="raci_changed")
    assert entry.changes == {"letters": ["", "RC"]}
    client.force_login(owner)
    history = client.get("/raci/").content.decode()
    assert "RM.2.1 / DG TAXUD A3/Cust: RC" in history

    with django_capture_on_commit_callbacks(execute=True):
        response = api(owner).put("/api/v1/raci/activities/RM.2.1/raci/a3-cust/", {"letters": ""})
    assert response.status_code == 200
    cust.__dict__.pop("_release_perm_cache", None)
    assert not raci.may_perform(cust, release, "RM.2.1")


def test_bad_letters_are_400_naming_the_field(api, make_user):
    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    response = api(owner).put("/api/v1/raci/activities/RM.2.1/raci/a3-cust/", {"letters": "RX"})
    assert response.status_code == 400
    assert "letters" in response.json()
