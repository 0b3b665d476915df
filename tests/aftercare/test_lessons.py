"""Lessons learned as knowledge (issue 14 point 3): written with the review, searchable
at /lessons/ and /api/v1/lessons/ (full text on PostgreSQL, by application and tag,
paged, in constant queries), and shown on the RM.1.1 and RM.1.3 pages of a later release
of the same application."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftercare import lessons, services

LESSON = {
    "what_happened": "The database migration overran the installation window.",
    "next_time": "Rehearse the migration on a copy of production first.",
    "tags": "Migration, data volume",
}


def reviewed(cast, release):
    services.write_review(release, by=cast.rm, note="Reviewed")
    return release


def test_the_release_manager_records_lessons_and_anyone_on_the_release_finds_them(
    cast, live_release, make_user
):
    release = reviewed(cast, live_release(release_type="major"))
    url = f"/api/v1/releases/{release.identifier}/review/lessons/"
    assert cast.api(cast.dc).post(url, LESSON, format="json").status_code == 403
    bad = cast.api(cast.rm).post(url, LESSON | {"tags": "no/slashes"}, format="json")
    assert bad.status_code == 400
    assert "tags" in bad.json()
    lesson = cast.ok(cast.api(cast.rm).post(url, LESSON, format="json"), 201)
    assert lesson["tags"] == ["data-volume", "migration"]
    cast.ok(
        cast.api(cast.rm).post(
            url,
            {"what_happened": "Users were not told", "next_time": "Mail them", "tags": "comms"},
            format="json",
        ),
        201,
    )

    found = cast.ok(cast.api(cast.cust).get("/api/v1/lessons/?q=rehearsing+migrations"))
    assert [r["id"] for r in found["results"]] == [lesson["id"]]  # stemmed full text
    by_tag = cast.ok(cast.api(cast.cust).get("/api/v1/lessons/?tag=comms"))
    assert [r["tags"] for r in by_tag["results"]] == [["comms"]]
    assert cast.ok(cast.api(cast.cust).get("/api/v1/lessons/?application=ecs"))["count"] == 2
    assert cast.ok(cast.api(cast.cust).get("/api/v1/lessons/?application=ncts"))["count"] == 0
    hostile = cast.api(cast.cust).get("/api/v1/lessons/", {"q": "a\x00b"})
    assert hostile.status_code == 400
    assert "q" in hostile.json()

    stranger = make_user("tax", "DG TAXUD A3/Tax")
    assert cast.ok(cast.api(stranger).get("/api/v1/lessons/"))["count"] == 0


def test_lessons_page_searches_and_pages_in_constant_queries(cast, live_release, client):
    release = reviewed(cast, live_release(release_type="major"))
    lessons.add_lesson(release, by=cast.rm, **LESSON)
    client.force_login(cast.cust)
    page = client.get("/lessons/?q=migration&application=ecs").content.decode()
    assert "Rehearse the migration" in page
    assert client.get("/lessons/?tag=" + "x" * 300).status_code == 400

    def count(path):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    count("/lessons/")
    few = count("/lessons/")
    for n in range(25):
        lessons.add_lesson(
            release, by=cast.rm, what_happened=f"Case {n}", next_time="Do better", tags=f"t{n}, x"
        )
    assert count("/lessons/") == few
    assert count("/lessons/?page=2") == few
    assert "Page 2 of 2" in client.get("/lessons/?page=2").content.decode()


def test_a_later_release_of_the_application_shows_what_we_learned_last_time(
    cast, live_release, make_release, client
):
    release = reviewed(cast, live_release(release_type="major"))
    lessons.add_lesson(release, by=cast.rm, **LESSON)
    later = make_release()
    client.force_login(cast.rm)
    for page in (
        f"/releases/{later.identifier}/planning/",
        f"/releases/{later.identifier}/activities/RM.1.3/",
    ):
        shown = client.get(page).content.decode()
        assert 'id="lessons-learned"' in shown
        assert f"/lessons/latest/?release={later.identifier}" in shown
    section = client.get(f"/lessons/latest/?release={later.identifier}").content.decode()
    assert "What we learned last time" in section
    assert "Rehearse the migration" in section
    assert "/lessons/?application=ecs" in section
    new = client.get(f"/lessons/latest/?application={later.application_id}").content.decode()
    assert "Rehearse the migration" in new
    own = client.get(f"/lessons/latest/?release={release.identifier}").content.decode()
    assert "Rehearse the migration" not in own  # not its own lessons
