"""The configuration manager creates an application and its environments; after a
release of it is walked to a successful installation, the application's page shows the
new version in production and the accepted one in SAT (issue 13), in Chromium."""

import pytest
from playwright.sync_api import expect

from changes.models import RfC
from releases.models import Application
from tests.lifecycle import install, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_configuration_manager_sees_the_new_version_in_production(
    page, live_server, log_in, cast, make_user, make_release
):
    make_user("cora", "ITSM Configuration Manager")
    log_in("cora")
    page.goto(f"{live_server.url}/applications/")
    page.get_by_role("button", name="New application").click()
    page.get_by_label("Code").fill("ncts")
    page.get_by_label("Name", exact=True).fill("New Computerised Transit System")
    page.get_by_label("DG TAXUD A3/Cust").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("NCTS saved.")).to_be_visible()
    for slug, name, kind in (("sat", "SAT", "SAT"), ("production", "Production", "Production")):
        page.get_by_role("button", name="New environment").click()
        page.get_by_label("Short name").fill(slug)
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_label("Kind", exact=True).select_option(label=kind)
        page.get_by_label("Owner (a party)").select_option(label="ITSM Infrastructure Manager")
        page.get_by_label("Status", exact=True).select_option("available")
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"{name} saved.")).to_be_visible()
        page.get_by_role("link", name="every environment of NCTS").click()
    expect(page.locator("#environment-production")).to_contain_text("nothing recorded")

    release = make_release(application=Application.objects.get(code="ncts"), version="5.1.0")
    RfC.objects.create(
        reference="RFC-900", title="Transit", status=RfC.Status.AUTHORISED, requester=cast.rm
    )
    cast.ok(cast.act(cast.rm, release, "include-rfc", {"rfc": "RFC-900"}, multipart=False), 201)
    walk_to(cast, release, "installation")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))

    page.reload()
    expect(page.locator("#environment-production .version")).to_have_text("5.1.0")
    expect(page.locator("#environment-sat .version")).to_have_text("5.1.0")
    expect(page.locator("#environment-production")).to_contain_text("RM.6.5")
    page.locator("#environment-production").get_by_role("link", name="Production").click()
    expect(page.locator("#timeline tbody tr").first).to_contain_text("NCTS-5.1.0")
