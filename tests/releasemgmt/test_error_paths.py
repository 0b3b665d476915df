"""One way to fail per interface: the API answers JSON whatever goes wrong (500
included); the web shows a refused form again with the reason and what was typed, and
any other failure as a page in the site's layout."""

import pytest
from django.db import transaction
from django.test import Client

from releasemgmt.errors import SERVER_ERROR
from releasemgmt.web import CHOOSE_AGAIN
from releases import selectors
from releases.models import Release
from tests.lifecycle import upload


@pytest.fixture
def psat_submitted_by_dc(cast, release_at):
    """A release in RM.4 whose pSAT report the deployment coordinator submitted."""
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    return release


def test_a_refused_proxy_decision_comes_back_with_the_reason_and_the_input(
    client, cast, psat_submitted_by_dc
):
    """The coordinator records a GO on the thread's behalf on a report they submitted
    themselves: refused (separation of duties), on the form, with what was typed."""
    release = psat_submitted_by_dc
    client.force_login(cast.dc)
    response = client.post(
        f"/releases/{release.identifier}/decisions/psat/",
        {
            "business_thread": "a3-cust",
            "verdict": "go",
            "decided_by_name": "Carla Cust",
            "evidence_note": "Her e-mail of this morning",
            "evidence": upload("acceptance.eml", b"From: carla\n\nGO"),
        },
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Nobody decides on what they submitted themselves." in page
    assert 'value="Carla Cust"' in page
    assert "Her e-mail of this morning" in page
    assert CHOOSE_AGAIN in page
    assert "<nav>" in page  # the site's layout, not a bare page
    assert not release.decisions.exists()


def test_a_user_who_may_not_perform_gets_the_form_back_with_the_reason(client, cast, release_at):
    release = release_at("receiving")
    client.force_login(cast.desk)
    response = client.post(
        f"/releases/{release.identifier}/activities/RM.2.1/",
        {"plan_completed": "on", "missing": "the COTS licence"},
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "Only a party that is Responsible or Accountable for RM.2.1" in page
    assert "the COTS licence" in page
    assert not release.consistency_checks.exists()


def test_a_page_refused_outright_explains_itself_in_the_layout(client, cast, release_at):
    release = release_at("planning")
    client.force_login(cast.dc)
    response = client.get(f"/releases/{release.identifier}/planning/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Responsible or Accountable for RM.1.1" in page
    assert "<nav>" in page


def test_not_found_is_a_page_of_the_site_and_json_under_the_api(client, cast):
    client.force_login(cast.rm)
    page = client.get("/releases/NOPE-1.0/")
    assert page.status_code == 404
    assert "<nav>" in page.content.decode()
    api = client.get("/api/v1/no-such-thing/")
    assert api.status_code == 404
    assert api.json() == {"detail": "Not found."}


def _failing_selector(*args, **kwargs):
    raise RuntimeError("the database went away")


def test_an_unexpected_error_is_json_in_the_api(cast, release_at, monkeypatch):
    release = release_at("planning")
    monkeypatch.setattr(selectors, "audit_trail", _failing_selector)
    client = Client(raise_request_exception=False)
    client.force_login(cast.rm)
    response = client.get(f"/api/v1/releases/{release.identifier}/audit/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": SERVER_ERROR}
    assert "the database went away" not in response.content.decode()


def test_an_unexpected_error_on_a_page_is_the_sites_error_page(cast, release_at, monkeypatch):
    release = release_at("planning")
    monkeypatch.setattr(selectors, "audit_trail", _failing_selector)
    client = Client(raise_request_exception=False)
    client.force_login(cast.rm)
    response = client.get(f"/releases/{release.identifier}/record/")
    page = response.content.decode()
    assert response.status_code == 500
    assert "Server error" in page
    assert "the database went away" not in page
    assert "Traceback" not in page


@pytest.mark.django_db
def test_a_part_asked_by_htmx_once_the_login_expired_sends_the_whole_page_to_log_in(
    release_manager, make_release
):
    """The browser follows a redirect that htmx asked for and would swap the login page
    into the part: the page itself goes to log in instead, and comes back to the page the
    user was on, not to the part."""
    release = make_release()
    browser = Client()
    on_page = {"HX-Request": "true", "HX-Current-URL": "http://testserver/releases/?stage=x"}
    for asked in ["/start/waiting/", f"/releases/{release.identifier}/readiness/"]:
        answer = browser.get(asked, headers=on_page)
        assert answer.status_code == 200
        assert answer["HX-Redirect"] == "/login/?next=/releases/%3Fstage%3Dx"
        assert answer.content == b""
    posted = browser.post(f"/releases/{release.identifier}/readiness/", headers=on_page)
    assert posted["HX-Redirect"] == "/login/?next=/releases/%3Fstage%3Dx"

    # a page of another site is not where the login leads back to
    elsewhere = {"HX-Request": "true", "HX-Current-URL": "https://elsewhere.example/x"}
    assert browser.get("/start/waiting/", headers=elsewhere)["HX-Redirect"] == "/login/?next=/"
    # nor an address that is none (it failed to parse: a 500)
    for broken in ("http://[::1", "http://[", "javascript:alert(1)"):
        answer = browser.get(
            "/start/waiting/", headers={"HX-Request": "true", "HX-Current-URL": broken}
        )
        assert answer["HX-Redirect"] == "/login/?next=/", broken
    # without htmx, the usual redirect; logged in, the part itself
    assert browser.get("/start/waiting/")["Location"] == "/login/?next=/start/waiting/"
    browser.force_login(release_manager)
    answer = browser.get("/start/waiting/", headers=on_page)
    assert answer.status_code == 200
    assert "HX-Redirect" not in answer
    assert release.identifier in answer.content.decode()


#: bodies Django or the JSON parser will not read, each a 500 until now
DEEP = "[" * 200_000 + "]" * 200_000  # 400 KB, under the size limit
HUGE = '{"name": "' + "x" * 3_000_000 + '"}'
MANY = "&".join(f"f{n}=1" for n in range(1_500))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "status", "said"),
    [
        (DEEP, "application/json", 400, "nested too deeply"),
        ('{"a":' * 50_000 + "1" + "}" * 50_000, "application/json", 400, "nested too deeply"),
        (HUGE, "application/json", 413, "over the 2,621,440 bytes"),
        (MANY, "application/x-www-form-urlencoded", 400, "over 1,000 fields"),
    ],
    ids=["deep array", "deep object", "huge", "many fields"],
)
def test_a_body_the_api_will_not_read_is_a_4xx_with_the_reason(
    cast, body, content_type, status, said
):
    api = cast.api(cast.rm)
    before = Release.objects.count()
    for path in ("/api/v1/releases/", "/api/v1/auth/token/"):
        # a transaction of its own, as in production: the token endpoint runs outside
        # the request's, and an error marks the one it runs in for rollback
        with transaction.atomic():
            response = api.generic("POST", path, body, content_type=content_type)
        assert response.status_code == status, path
        assert said in response.json()["detail"], path
    assert Release.objects.count() == before


@pytest.mark.django_db
def test_a_form_over_the_limit_is_a_page_in_the_layout_with_the_reason(release_manager):
    """Django refuses a body over its limit before any view: its own bare page had
    neither the layout nor the reason."""
    browser = Client(raise_request_exception=False)
    browser.force_login(release_manager)
    before = Release.objects.count()
    page = browser.post("/releases/new/", {"name": "x" * 3_000_000})
    assert page.status_code == 413
    text = page.content.decode()
    assert "over the 2,621,440 bytes" in text
    assert 'class="error-page"' in text
    assert 'class="skip-link"' in text  # the site's layout
    many = browser.post("/releases/new/", MANY, content_type="application/x-www-form-urlencoded")
    assert many.status_code == 400
    assert "over 1,000 fields" in many.content.decode()
    assert Release.objects.count() == before
