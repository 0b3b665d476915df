"""The authentication back end (``raci.backends``): a request's user is read in one query
with their permissions, the principals they stand in for and the parties they hold, and
every answer is the one
Django's model back end and ``raci.permissions`` give on their own (issue 17)."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from raci import deputies
from raci import permissions as raci
from raci.backends import UserWithPermissionsBackend
from raci.models import Party

pytestmark = pytest.mark.django_db

BACKEND = UserWithPermissionsBackend()


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def answers(user) -> tuple:
    """What a page asks of the user first: their model permissions, in person and through
    their groups, whom they stand in for and which parties they hold."""
    return (
        user.get_user_permissions(),
        user.get_group_permissions(),
        user.get_all_permissions(),
        raci.sees_all_releases(user),
        raci.principals(user),
        raci.held_parties(user),
    )


def as_django_reads(user) -> tuple:
    return answers(ModelBackend().get_user(user.pk))


@pytest.fixture
def people(make_user, release_manager):
    thread = make_user("thea", "DG TAXUD A3/Cust", first_name="Thea", last_name="Thread")
    direct = make_user("dirk")
    direct.user_permissions.add(Permission.objects.get(codename="view_release"))
    deputy = make_user("dana", "ITSM Service Desk")
    deputies.name_deputy(by=release_manager, deputy=deputy, starts=days(0), ends=days(2))
    deputies.name_deputy(by=thread, deputy=deputy, starts=days(0), ends=days(0))
    later = make_user("lena")
    deputies.name_deputy(by=thread, deputy=later, starts=days(1), ends=days(5))
    superuser = get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    return [release_manager, thread, direct, deputy, later, superuser]


def test_a_request_s_user_is_read_with_their_permissions_and_principals_in_one_query(people):
    if connection.vendor != "postgresql":
        pytest.skip("the one query is PostgreSQL's; SQLite reads the user as Django does")
    for person in people:
        with CaptureQueriesContext(connection) as ctx:
            user = BACKEND.get_user(person.pk)
            if not user.is_superuser:  # Django lists every permission for a superuser
                answers(user)
        assert len(ctx.captured_queries) == 1, person.username


def test_every_answer_is_the_one_django_and_the_permission_module_give(people):
    for person in people:
        assert answers(BACKEND.get_user(person.pk)) == as_django_reads(person), person.username
    dana = BACKEND.get_user(people[3].pk)
    assert set(raci.principals(dana).values()) == {"Thea Thread", "rita"}


def test_a_change_of_groups_permissions_or_delegations_shows_on_the_next_request(people):
    """Nothing is kept past the request: each request's user is read afresh."""
    direct, later = people[2], people[4]
    assert raci.sees_all_releases(BACKEND.get_user(direct.pk))
    direct.user_permissions.clear()
    assert not raci.sees_all_releases(BACKEND.get_user(direct.pk))
    assert raci.held_parties(BACKEND.get_user(direct.pk)) == {}
    direct.groups.add(Party.objects.get(name="ITSM Service Desk").group)
    assert raci.sees_all_releases(BACKEND.get_user(direct.pk))
    assert list(raci.held_parties(BACKEND.get_user(direct.pk))) == ["ITSM Service Desk"]
    assert raci.principals(BACKEND.get_user(later.pk)) == {}
    deputies.name_deputy(by=direct, deputy=later, starts=days(0), ends=days(0))
    assert list(raci.principals(BACKEND.get_user(later.pk))) == [direct.pk]


def test_an_inactive_or_unknown_user_is_nobody(people, client):
    thread = people[1]
    client.force_login(thread)
    assert client.get("/releases/").status_code == 200
    thread.is_active = False
    thread.save(update_fields=["is_active"])
    assert BACKEND.get_user(thread.pk) is None
    assert client.get("/releases/").status_code == 302  # logged out, to the login page
    assert BACKEND.get_user(10**12) is None
    assert BACKEND.get_user("not a number") is None
    # past what a key can hold: nobody either, not a database error
    assert BACKEND.get_user(2**63) is None
    assert BACKEND.get_user(-(2**70)) is None
    assert client.get("/releases/").status_code == 302


@pytest.mark.parametrize("path", ["/releases/", "/approvals/"])
def test_a_page_reads_the_user_s_permissions_and_parties_only_with_the_user(people, client, path):
    """The request's user is a lazy proxy: what the back end read must be found through
    it, not read again (the release list asks the permissions and principals, the
    approvals page which parties the user holds)."""
    if connection.vendor != "postgresql":
        pytest.skip("the one query is PostgreSQL's")
    for person in (people[1], people[3]):  # a thread user; a deputy
        client.force_login(person)
        client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        asking = [
            q["sql"]
            for q in ctx.captured_queries
            if '"auth_permission"' in q["sql"]
            or 'FROM "raci_delegation"' in q["sql"]
            or 'FROM "raci_party" INNER JOIN "auth_group"' in q["sql"]
        ]
        assert asking == []
        # the user's one query, prepared on the connection
        assert sum(q["sql"].startswith("EXECUTE ") for q in ctx.captured_queries) == 1


def test_the_principals_of_the_next_day_are_read_again(people, monkeypatch):
    """The principals are those of the day: a request running past midnight, and the
    next day's requests, see the delegations of the new day."""
    thread, later = people[1], people[4]  # ``later`` stands in for the thread from tomorrow
    user = BACKEND.get_user(later.pk)
    assert raci.principals(user) == {}
    tomorrow = days(1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    assert list(raci.principals(user)) == [thread.pk]
    assert list(raci.principals(BACKEND.get_user(later.pk))) == [thread.pk]


def prepared_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {row[0] for row in cursor.fetchall()}


def statements_run(queries) -> set[str]:
    """The names of the prepared statements the queries ran."""
    return {q["sql"].removeprefix("EXECUTE ").split("(")[0] for q in queries}


def test_the_user_s_query_is_planned_once_per_connection_and_day(people, monkeypatch):
    """PostgreSQL plans the user's query once per connection (``releasemgmt.prepared``):
    every request then runs the statement; the next day's query is one of its own."""
    if connection.vendor != "postgresql":
        pytest.skip("a prepared statement is PostgreSQL's")
    BACKEND.get_user(people[0].pk)
    with CaptureQueriesContext(connection) as ctx:
        users = [BACKEND.get_user(person.pk) for person in people]
    assert users == people
    assert all(q["sql"].startswith("EXECUTE ") for q in ctx.captured_queries)
    today = statements_run(ctx.captured_queries)
    assert len(today) == 1
    assert today <= prepared_statements()
    tomorrow = days(1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    with CaptureQueriesContext(connection) as ctx:
        assert BACKEND.get_user(people[0].pk) == people[0]
    next_day = statements_run(ctx.captured_queries)
    assert len(next_day) == 1
    assert next_day != today
    assert next_day <= prepared_statements()


@pytest.mark.django_db(transaction=True)
def test_a_connection_made_afresh_prepares_the_user_s_query_again(client):
    if connection.vendor != "postgresql":
        pytest.skip("a prepared statement is PostgreSQL's")
    nina = get_user_model().objects.create_user("nina", "nina@example.org", "pw")
    assert BACKEND.get_user(nina.pk) == nina
    connection.close()
    assert prepared_statements() == set()  # a new connection has none
    with CaptureQueriesContext(connection) as ctx:
        assert BACKEND.get_user(nina.pk) == nina
    assert statements_run(ctx.captured_queries) == prepared_statements()
    client.force_login(nina)
    assert client.get("/account/tokens/").status_code == 200
