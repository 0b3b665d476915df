"""Writes at once on both databases the product runs on: the embedded default's SQLite
file and PostgreSQL. The app runs as people run it (gunicorn, two worker processes of
sixteen threads, the embedded default's settings) on a database of its own, migrated.

Independent writes all succeed; identical attempts at one step give one winner and a 409
for each of the others, never a 500 ("database is locked")."""

import os
from collections import Counter

import pytest

from tests import served

PARALLEL_RFCS = 30
PARALLEL_STEPS = 20


def _databases():
    kinds = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        kinds.append("postgresql")
    return kinds


@pytest.fixture(scope="module", params=_databases())
def app(request, tmp_path_factory):
    """The served app on a fresh database of each kind, with its people and a release."""
    scratch = tmp_path_factory.mktemp(request.param)
    with served.database(request.param, scratch, migrated=True) as url:
        env = served.embedded_env(url, scratch)
        seeded = served.call(env, "tests.faults.burst:seed")
        with served.serving(served.gunicorn, env, scratch) as base:
            yield {"url": base, "env": env, **seeded}


def written(app, prefix=""):
    return served.call(app["env"], "tests.faults.burst:written", app["release"], prefix)


def statuses(answers):
    return Counter(status for status, _ in answers)


def test_thirty_different_rfcs_at_once_are_all_created(app):
    """Each gets its own reference from the sequence: none lost, none shared."""
    prefix = "Parallel change "
    requests = [("/api/v1/rfcs/", {"title": f"{prefix}{i:02}"}) for i in range(PARALLEL_RFCS)]
    answers = served.posts_at_once(app["url"], app["change_manager"], requests)

    assert statuses(answers) == {201: PARALLEL_RFCS}, answers
    assert {body["title"] for _, body in answers} == {r["title"] for _, r in requests}
    references = {body["reference"] for _, body in answers}
    assert len(references) == PARALLEL_RFCS
    after = written(app, prefix)
    assert after["rfcs"] == PARALLEL_RFCS
    assert set(after["references"]) == references


def test_twenty_identical_publications_at_once_one_wins_the_others_409(app):
    path = f"/api/v1/releases/{app['release']}/activities/RM.1.4/"
    answers = served.posts_at_once(
        app["url"], app["release_manager"], [(path, {})] * PARALLEL_STEPS
    )

    assert statuses(answers) == {200: 1, 409: PARALLEL_STEPS - 1}, answers
    for status, body in answers:
        if status == 409:
            assert body["detail"], body
    after = written(app)
    assert after["stage"] == "receiving"
    assert (after["release_plans"], after["stage_receive"]) == (1, 1)


def test_twenty_identical_cab_decisions_at_once_one_wins_the_others_409(app):
    """The change manager's decision is recorded once, on SQLite as on PostgreSQL."""
    path = f"/api/v1/cab-meetings/{app['meeting']}/decisions/"
    body = {"rfc": app["rfc"], "outcome": "authorised", "conditions": ""}
    answers = served.posts_at_once(app["url"], app["change_manager"], [(path, body)] * 20)

    assert statuses(answers) == {201: 1, 409: 19}, answers
    after = served.call(app["env"], "tests.faults.burst:decided", app["rfc"])
    assert after == {"decisions": 1, "status": "authorised"}
