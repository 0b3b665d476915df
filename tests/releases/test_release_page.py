"""The release page leads with what is next and who holds it, groups the activities by
stage (the current one open), and lists every file kept for the release."""

from tests.lifecycle import install


def test_the_release_page_says_what_is_next_and_who_holds_it(client, cast, release_at):
    release = release_at("kickoff")
    client.force_login(cast.dc)
    page = client.get(f"/releases/{release.identifier}/").content.decode()
    assert page.index("What is next") < page.index('id="activities"')
    assert "RM.3.1 Prepare kick-off meeting" in page[page.index("What is next") :]
    assert cast.dc.get_full_name() or cast.dc.username in page
    for anchor in ("#activities", "#decisions", "#documents", "#communications", "#audit"):
        assert f'href="{anchor}"' in page


def test_documents_list_every_file_of_the_release(client, cast, release_at):
    release = release_at("installation")
    install(cast, release, successful=False)
    client.force_login(cast.rm)
    page = client.get(f"/releases/{release.identifier}/").content.decode()
    documents = page[page.index('id="documents"') : page.index('id="communications"')]
    files = cast.ok(cast.api(cast.rm).get(f"/api/v1/releases/{release.identifier}/files/"))
    assert files
    for f in files:
        assert f["download"] in documents, f
