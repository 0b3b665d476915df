"""The release page leads with what is next and who holds it, groups the activities by
stage (the current one open), and lists every file kept for the release."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases.models import ActivityRecord
from tests.lifecycle import install
from tests.start import release_page


def test_the_release_page_says_what_is_next_and_who_holds_it(client, cast, release_at):
    release = release_at("kickoff")
    client.force_login(cast.dc)
    page = release_page(client, release)
    assert page.index("What is next") < page.index('id="activities"')
    assert "RM.3.1 Prepare kick-off meeting" in page[page.index("What is next") :]
    assert cast.dc.get_full_name() or cast.dc.username in page
    for anchor in ("#activities", "#decisions", "#documents", "#communications", "#audit"):
        assert f'href="{anchor}"' in page


def test_documents_list_every_file_of_the_release(client, cast, release_at):
    release = release_at("installation")
    install(cast, release, successful=False)
    client.force_login(cast.rm)
    page = release_page(client, release)
    documents = page[page.index('id="documents"') : page.index('id="communications"')]
    files = cast.ok(cast.api(cast.rm).get(f"/api/v1/releases/{release.identifier}/files/"))
    assert files
    for f in files:
        assert f["download"] in documents, f


def test_the_record_comes_once_the_page_is_shown_and_is_a_page_without_htmx(
    client, cast, release_at
):
    """The page leads with where the release stands; its record (activities, decisions,
    documents, communications, audit trail) is asked by htmx once the page is shown, and
    without JavaScript its link opens it as a page in the site's layout."""
    release = release_at("kickoff")
    client.force_login(cast.rm)
    page = client.get(f"/releases/{release.identifier}/").content.decode()
    record = f"/releases/{release.identifier}/record/"
    assert f'hx-get="{record}"' in page
    assert 'class="audit"' not in page
    part = client.get(record, headers={"HX-Request": "true"}).content.decode()
    assert part.startswith('<div id="record">')
    assert "<html" not in part
    for section in ("activities", "decisions", "documents", "communications", "audit"):
        assert f'id="{section}"' in part
    assert "RM.3.1 Prepare kick-off meeting" in part
    alone = client.get(record).content.decode()
    assert "<html" in alone
    assert 'class="audit"' in alone
    assert client.post(record).status_code == 405


def test_the_page_reads_the_activity_records_and_the_plan_once(client, cast, release_at):
    """The activity records and the milestones are read once (the record, which htmx asks
    for once the page is shown, reads its own), and every part of the page
    (the next steps and their due dates, the path of the release's type, the actual dates
    of the plan) works from them (issue 17: the page read them four and three times). A
    user who may fire no manual transition has none of their gates read."""
    release = release_at("acceptance")
    for user in (cast.rm, cast.cust):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            page = client.get(f"/releases/{release.identifier}/").content.decode()
        reads = [q["sql"] for q in ctx.captured_queries]
        assert sum('FROM "releases_activityrecord"' in sql for sql in reads) == 1, user
        assert sum('FROM "releases_milestone"' in sql for sql in reads) == 1, user
        assert "What is next" in page


def test_the_record_escapes_what_people_wrote_and_shows_brussels_time(client, cast, release_at):
    """The record is written by Jinja2 (issue 17): what a user typed is escaped there as
    on every other page, and times are Brussels time as Django's ``date`` writes them."""
    release = release_at("kickoff", release_type="emergency")
    reason = '<script>alert("x")</script> & co'
    waived = cast.api(cast.dc).post(
        f"/api/v1/releases/{release.identifier}/activities/RM.3.1/waive/",
        {"reason": reason},
        format="json",
    )
    cast.ok(waived)
    record = ActivityRecord.objects.get(release=release, activity__code="RM.3.1")
    when = timezone.localtime(record.performed_at).strftime("%Y-%m-%d %H:%M")
    client.force_login(cast.rm)
    for headers in ({"HX-Request": "true"}, {}):
        page = client.get(f"/releases/{release.identifier}/record/", headers=headers)
        text = page.content.decode()
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in text
        assert f"{cast.dc} <small>{when}</small>" in text
        assert ("<html" in text) is not bool(headers)  # a page of its own without htmx
