"""The configuration manager in Chromium reads the DSL of ECS after four versions stored
their documentation: the newest versions live, the oldest archived (RM.2.4); Infra
records the archive's two media; the files leave storage, their checksums stay."""

import pytest
from django.core.files.storage import default_storage
from playwright.sync_api import expect

from tests.lifecycle import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_configuration_manager_follows_the_archive_of_an_old_version(
    page, browser, live_server, log_in, cast, make_release, make_user
):
    make_user("conrad", "ITSM Configuration Manager")
    make_user("ines", "ITSM Infrastructure Manager")
    versions = []
    for _ in range(4):
        release = make_release()
        data = {"title": "Installation guide", "kind": "installation", "file": upload("g.pdf")}
        cast.ok(cast.act(cast.dc, release, "store-document", data), 201)
        versions.append(release)
    oldest, newest = versions[0], versions[-1]
    document = oldest.documents.get()
    digest = document.sha256
    assert default_storage.exists(document.file.name)

    log_in("conrad")
    page.get_by_role("link", name="DSL").first.click()
    page.get_by_role("link", name="ECS").click()
    expect(page.locator("#retention")).to_contain_text("the last 3 versions")
    expect(page.locator(f'[id="v-{newest.identifier}"] .state')).to_have_text("live")
    expect(page.locator(f'[id="v-{oldest.identifier}"] .state')).to_have_text("archived")
    expect(page.locator(f'[id="v-{oldest.identifier}"] .media')).to_contain_text(
        "No medium recorded"
    )

    infra = browser.new_page()
    infra.goto(f"{live_server.url}/login/")
    infra.get_by_label("Username").fill("ines")
    infra.get_by_label("Password").fill("pw")
    infra.get_by_role("button", name="Log in").click()
    infra.wait_for_url(f"{live_server.url}/")
    infra.goto(f"{live_server.url}/dsl/ecs/")
    archive = infra.locator(f'[id="v-{oldest.identifier}"]')
    archive.get_by_label("Medium").select_option("1")
    archive.get_by_label("Where").select_option("on_site")
    archive.get_by_role("button", name="Record medium").click()
    expect(infra.get_by_text(f"Medium recorded for {oldest.identifier}.")).to_be_visible()
    archive = infra.locator(f'[id="v-{oldest.identifier}"]')
    archive.get_by_label("Medium").select_option("2")
    archive.get_by_label("Where").select_option("sent")
    archive.get_by_label("Sent to").fill("DG TAXUD, Brussels")
    archive.get_by_role("button", name="Record medium").click()
    expect(infra.get_by_text(f"Medium recorded for {oldest.identifier}.")).to_be_visible()
    infra.close()

    page.reload()
    version = page.locator(f'[id="v-{oldest.identifier}"]')
    expect(version.locator(".state")).to_have_text("purged")
    expect(version.locator(".media")).to_contain_text("sent to DG TAXUD, Brussels")
    expect(version).to_contain_text(digest)  # the checksum stays on record
    expect(version.get_by_role("link", name="g.pdf")).to_have_count(0)
    expect(page.locator(f'[id="v-{newest.identifier}"] .state')).to_have_text("live")
    assert not default_storage.exists(document.file.name)  # purged from storage
