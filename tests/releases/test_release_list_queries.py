"""The release list answers with a number of queries that does not grow with the rows."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_web_list_and_start_page_queries_are_constant(client, make_release, make_user):
    thread_user = make_user("cust", "DG TAXUD A3/Cust")
    desk = make_user("desk", "ITSM Service Desk")
    make_release()
    for user in (thread_user, desk):
        client.force_login(user)
        count_queries(client, "/releases/")
        few = (count_queries(client, "/releases/"), count_queries(client, "/"))
        for _ in range(12):
            make_release()
        many = (count_queries(client, "/releases/"), count_queries(client, "/"))
        assert few == many, user


def test_api_list_queries_are_constant(api, make_release, make_user):
    thread_user = make_user("cust", "DG TAXUD A3/Cust")
    client = api(thread_user)
    make_release()
    count_queries(client, "/api/v1/releases/")  # warm the per-user permission cache
    few = count_queries(client, "/api/v1/releases/")
    for _ in range(12):
        make_release()
    assert count_queries(client, "/api/v1/releases/") == few
    assert len(client.get("/api/v1/releases/").json()["results"]) == 13


def test_release_page_queries_do_not_grow_with_audit_entries(client, make_release, release_manager):
    from releases import services

    release = make_release()
    client.force_login(release_manager)
    paths = [f"/releases/{release.identifier}/", f"/releases/{release.identifier}/record/"]
    for path in paths:  # the first reading of Table 4-1 in this process is kept after it
        count_queries(client, path)
    before = [count_queries(client, path) for path in paths]
    for i in range(10):
        services.revise_planning(release, by=release_manager, name=f"Update {i}")
    assert [count_queries(client, path) for path in paths] == before


def test_release_page_queries_do_not_grow_with_failed_mails(
    client, make_release, release_manager, make_user
):
    """The communications table (the release page's record) counts addressees and names
    only the failed ones."""
    from releasemgmt.notifications.models import Communication, Recipient

    release = make_release()
    client.force_login(release_manager)
    path = f"/releases/{release.identifier}/record/"
    communication = Communication.objects.create(
        release=release,
        activity="RM.1.4",
        kind=Communication.Kind.INTERFACE,
        subject="Plan published",
        body="-",
        created_by=release_manager,
    )
    Recipient.objects.create(communication=communication, user=release_manager)
    before = count_queries(client, path)
    for i in range(5):
        Recipient.objects.create(
            communication=communication,
            user=make_user(f"gone{i}"),
            status=Recipient.Status.FAILED,
            last_error="550 No such user",
        )
    assert count_queries(client, path) == before
    page = client.get(path).content.decode()
    assert "failed: gone4" in page
    assert "<td>6" in page
