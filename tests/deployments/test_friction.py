"""What new users stumbled on in the core flows, each fixed and held here (the web
pages as a person sees them)."""

from django.contrib.auth import get_user_model

from deployments.models import Decision
from tests.lifecycle import upload
from tests.start import start_page


def test_revising_the_planning_shows_the_dates_the_date_picker_can_read(client, cast, make_release):
    release = make_release()
    client.force_login(cast.rm)
    page = client.get(f"/releases/{release.identifier}/planning/").content.decode()
    assert f'value="{release.planned_delivery_date:%Y-%m-%d}"' in page
    assert f'value="{release.planned_installation_date:%Y-%m-%d}"' in page


def test_the_application_filter_takes_the_code_as_the_pages_show_it(api, cast, make_release):
    release = make_release()
    for code in ("ECS", "ecs"):
        listed = api(cast.rm).get(f"/api/v1/releases/?application={code}").json()
        assert [r["identifier"] for r in listed["results"]] == [release.identifier]


def test_a_task_is_assigned_to_someone_who_holds_a_party_on_the_release(client, cast, release_at):
    release = release_at("kickoff")
    get_user_model().objects.create_superuser("root", "root@example.org", "pw")
    client.force_login(cast.dc)
    page = client.get(f"/releases/{release.identifier}/activities/RM.3.1/").content.decode()
    assert 'value="root"' not in page
    assert f'value="{cast.dc.username}"' in page


def test_rm_4_1_offers_the_psat_report_and_rm_4_2_the_others(client, cast, release_at):
    release = release_at("acceptance")
    client.force_login(cast.dc)
    page = client.get(f"/releases/{release.identifier}/activities/RM.4.1/").content.decode()
    assert 'value="psat"' in page
    assert 'value="sat"' not in page
    assert 'value="dqr"' not in page
    # The report is uploaded before the GO is implemented: its form comes first.
    assert page.index("Send a test report") < page.index("Implement the GO: SAT may start")


def test_the_decision_form_speaks_of_the_decision_at_hand(client, cast, release_at):
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    client.force_login(cast.cust)
    page = client.get(f"/releases/{release.identifier}/decisions/psat/").content.decode()
    assert '<option value="" selected>— choose —</option>' in page  # no verdict in advance
    assert '<option value="a3-cust" selected>' in page  # the user's only thread
    assert "A NOGO acts at once" in page


def test_a_nogo_is_confirmed_before_it_sends_the_release_back(client, cast, release_at):
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    client.force_login(cast.cust)
    path = f"/releases/{release.identifier}/decisions/psat/"
    nogo = {
        "business_thread": "a3-cust",
        "verdict": "nogo",
        "consequence": "corrected_delivery",
        "evidence_note": "Crash on export",
    }
    asked = client.post(path, nogo)
    assert asked.status_code == 200
    assert "Confirm the NOGO" in asked.content.decode()
    assert "Crash on export" in asked.content.decode()
    assert not Decision.objects.exists()
    done = client.post(path, {**nogo, "confirmed": "yes"}, follow=True)
    assert "went back to RM.2 for a corrected delivery" in done.content.decode()
    release.refresh_from_db()
    assert release.stage == "receiving"


def test_a_rollback_decision_names_the_report_it_rests_on(client, cast, release_at):
    from tests.lifecycle import install

    release = release_at("installation")
    install(cast, release, successful=False)
    client.force_login(cast.cust)
    page = client.get(f"/releases/{release.identifier}/decisions/rollback/").content.decode()
    assert "Installation report (failed)" in page
    assert "object (" not in page
    assert "Validate the rollback" in page
    assert "consequence" not in page


def test_every_page_has_a_skip_link_and_an_icon(client, cast):
    client.force_login(cast.rm)
    page = start_page(client)
    assert 'href="#main"' in page
    assert 'rel="icon"' in page
