"""Table 4-1 kept by each process under a token the database holds (issue 17): read once,
read again after any change, whichever web node made it.

A change made through the service leaves the process's copy where it is; only the token
it changed in the database tells the next read to look again. So a change made here
stands for a change made on another node."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from raci import selectors, services
from raci.models import Activity, Party


def _row(page: str, code: str) -> str:
    return re.search(rf"<tr[^>]*>\s*<td><a [^>]*>{re.escape(code)} .*?</tr>", page, re.S).group(0)


def _record(client, release) -> tuple[str, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/releases/{release.identifier}/record/")
    assert response.status_code == 200
    return response.content.decode(), [q["sql"] for q in ctx.captured_queries]


def test_the_table_is_read_again_only_once_it_changed(api, client, cast, release_at, make_user):
    release = release_at("kickoff")
    client.force_login(cast.cust)
    _record(client, release)
    page, reads = _record(client, release)
    assert not any('FROM "raci_racicell"' in sql for sql in reads)
    assert '<span class="letters">' not in _row(page, "RM.2.1")

    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    changed = api(owner).put("/api/v1/raci/activities/RM.2.1/raci/a3-cust/", {"letters": "RC"})
    assert changed.status_code == 200, changed.json()

    page, reads = _record(client, release)
    assert sum('FROM "raci_racicell"' in sql for sql in reads) == 1
    assert '<span class="letters">RC</span>' in _row(page, "RM.2.1")
    assert "A3/Cust" in _row(page, "RM.2.1")  # now among those responsible
    page, reads = _record(client, release)
    assert not any('FROM "raci_racicell"' in sql for sql in reads)
    assert '<span class="letters">RC</span>' in _row(page, "RM.2.1")


def test_a_change_rolled_back_leaves_no_copy_of_it_behind(release_manager, make_user):
    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    activity, party = Activity.objects.get(code="RM.2.1"), Party.objects.get(slug="a3-cust")
    before = selectors.matrix()[2].get((activity.id, party.id), "")

    seen = []

    @transaction.atomic
    def change_then_fail():
        services.set_raci_cell(by=owner, activity=activity, party=party, letters="RA")
        seen.append(selectors.matrix()[2][(activity.id, party.id)])
        raise RuntimeError("the request failed after the change")

    with pytest.raises(RuntimeError):
        change_then_fail()
    assert seen == ["RA"]
    assert selectors.matrix()[2].get((activity.id, party.id), "") == before


def test_a_caller_cannot_change_the_kept_copy(db):
    parties, activities, cells = selectors.matrix()
    parties.clear()
    activities.clear()
    cells.clear()
    again = selectors.matrix()
    assert len(again[0]) == 16
    assert len(again[1]) == 24
    assert again[2]
