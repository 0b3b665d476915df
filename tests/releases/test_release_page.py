"""The release page leads with what is next and who holds it, groups the activities by
stage (the current one open), and lists every file kept for the release."""

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
