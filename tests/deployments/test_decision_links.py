"""Deciding from the mail (issue 16 point 1): each addressee of a mail that asks for a
decision gets a personal link; the page it opens is the confirmation already filled, a
POST records the decision through ``record_decision`` and says it came from the link."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from deployments.models import Decision, DecisionRequest
from releasemgmt.accounts import personal_links
from releasemgmt.accounts.models import PersonalLink
from tests.lifecycle import install, upload
from tests.start import release_page

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")


def link_in(user, subject):
    [message] = [m for m in mail.outbox if user.email in m.to and subject in m.subject]
    [path] = LINK.findall(message.body)
    return path, message


@pytest.fixture
def submit(cast, django_capture_on_commit_callbacks):
    def submitting(release, kind="psat", name="psat.pdf"):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cast.ok(
                cast.act(
                    cast.dc, release, "submit-test-report", {"kind": kind, "file": upload(name)}
                ),
                201,
            )

    return submitting


@pytest.fixture
def accepting(release_at, submit):
    release = release_at("acceptance")
    submit(release)
    return release


@pytest.fixture
def link(accepting, cast):
    path, _ = link_in(cast.cust, "pSAT report")
    return path


def decisions(release):
    return list(Decision.objects.filter(release=release))


def test_the_mail_carries_a_personal_link_to_the_request_and_a_reply_address(accepting, cast, link):
    _, message = link_in(cast.cust, "pSAT report")
    request = DecisionRequest.objects.get(release=accepting, kind="psat")
    assert request.test_report == accepting.test_reports.get()
    record = PersonalLink.objects.get(user=cast.cust)
    assert (record.purpose, record.target) == ("decision", request)
    [reply_to] = message.reply_to
    assert reply_to.startswith("decide+")
    assert reply_to.endswith("@replies.localhost")
    assert "GO" in message.body
    assert "first line" in message.body


def test_get_shows_the_confirmation_and_records_nothing(accepting, cast, link, client):
    client.force_login(cast.cust)
    body = client.get(link).content.decode()
    assert "GO/NOGO for SAT after pSAT" in body
    assert 'name="verdict" value="go"' in body
    assert 'name="verdict" value="nogo"' in body
    assert 'name="consequence"' in body
    assert decisions(accepting) == []
    assert PersonalLink.objects.get(user=cast.cust).used_at is None


def test_two_clicks_record_the_go_and_the_release_page_says_it_came_from_the_mail(
    accepting, cast, link, client
):
    client.force_login(cast.cust)
    response = client.post(link, {"verdict": "go", "business_thread": "a3-cust"})
    assert response.status_code == 302, response.content.decode()
    assert "Decision recorded" in client.get(response["Location"]).content.decode()
    [decision] = decisions(accepting)
    assert decision.verdict == "go"
    assert decision.channel == Decision.Channel.MAIL_LINK
    assert decision.request == DecisionRequest.objects.get(release=accepting)
    assert decision.test_report == accepting.test_reports.get()
    assert decision.decided_by_name == "Carla Cust"
    page = release_page(client, accepting)
    assert "from the mail's link" in html.unescape(page)
    api = cast.ok(cast.client(cast.cust).get(f"/api/v1/releases/{accepting.identifier}/decisions/"))
    assert api[0]["channel"] == "mail_link"


def test_a_link_used_twice_says_so_and_acts_once(accepting, cast, link, client):
    client.force_login(cast.cust)
    assert client.post(link, {"verdict": "go"}).status_code == 302
    again = client.post(link, {"verdict": "nogo", "consequence": "cancel"})
    assert again.status_code == 409
    assert "Already answered on" in again.content.decode()
    assert [d.verdict for d in decisions(accepting)] == ["go"]
    assert client.get(link).status_code == 200


def test_an_expired_link_says_so_and_does_nothing(accepting, cast, link, client):
    PersonalLink.objects.filter(user=cast.cust).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(cast.cust)
    assert "expired" in client.get(link).content.decode()
    assert client.post(link, {"verdict": "go"}).status_code == 409
    assert decisions(accepting) == []


def test_another_users_link_is_a_link_that_does_not_exist(accepting, cast, link, client):
    for user in (cast.dc, cast.desk):
        client.force_login(user)
        assert client.get(link).status_code == 404
        assert client.post(link, {"verdict": "go"}).status_code == 404
    client.force_login(cast.cust)
    assert client.get(link.replace(link[20:24], "AAAA")).status_code == 404
    assert decisions(accepting) == []


def test_after_a_retest_the_old_link_names_the_new_report_and_refuses(
    accepting, cast, link, client, submit
):
    submit(accepting, name="psat-retest.pdf")
    new_link, _ = link_in(cast.cust, "pSAT report")
    assert new_link != link
    client.force_login(cast.cust)
    body = client.get(link).content.decode()
    assert "superseded" in body
    assert "psat-retest.pdf" in body
    assert f"/releases/{accepting.identifier}/" in body
    assert 'name="verdict"' not in body
    refused = client.post(link, {"verdict": "go"})
    assert refused.status_code == 409
    assert decisions(accepting) == []
    assert client.post(new_link, {"verdict": "go"}).status_code == 302
    [decision] = decisions(accepting)
    assert decision.test_report.filename.startswith("psat-retest")


def test_never_acts_on_get(accepting, cast, link, client):
    client.force_login(cast.cust)
    for _ in range(2):
        assert client.get(link + "?verdict=go").status_code == 200
        assert client.head(link).status_code in (200, 405)
    assert decisions(accepting) == []


def test_a_nogo_after_psat_asks_for_the_consequence_on_the_page(accepting, cast, link, client):
    client.force_login(cast.cust)
    response = client.post(link, {"verdict": "nogo"})
    assert response.status_code == 400
    assert "corrected delivery or cancel" in response.content.decode()
    assert decisions(accepting) == []
    response = client.post(link, {"verdict": "nogo", "consequence": "corrected_delivery"})
    assert response.status_code == 302
    [decision] = decisions(accepting)
    assert (decision.verdict, decision.consequence) == ("nogo", "corrected_delivery")
    accepting.refresh_from_db()
    assert accepting.stage == "receiving"


def test_the_login_comes_first_and_returns_to_the_link(accepting, cast, link):
    client = Client()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={link.replace(':', '%3A')}"
    response = client.post(response["Location"], {"username": "cust", "password": "pw"})
    assert response["Location"] == link
    assert 'name="verdict" value="go"' in client.get(link).content.decode()


def test_decided_in_the_tool_the_link_says_the_thread_decided(accepting, cast, link, client):
    cast.ok(cast.decide(cast.cust, accepting, "psat"), 201)
    client.force_login(cast.cust)
    body = client.get(link).content.decode()
    assert "has decided already" in body
    assert 'name="verdict"' not in body
    assert client.post(link, {"verdict": "nogo", "consequence": "cancel"}).status_code == 409
    assert len(decisions(accepting)) == 1


def test_the_submitter_cannot_decide_from_a_link(accepting, cast, client):
    """Separation of duties holds: the link runs record_decision's rules."""
    request = DecisionRequest.objects.get(release=accepting)
    cast.dc.groups.add(*cast.cust.groups.all())
    _, token = personal_links.issue(cast.dc, "decision", request)
    client.force_login(cast.dc)
    response = client.post(personal_links.path_of(token), {"verdict": "go"})
    assert response.status_code in (400, 403)
    assert decisions(accepting) == []


def test_plan_authorisation_and_rollback_mails_carry_links(
    release_at, cast, django_capture_on_commit_callbacks, client
):
    release = release_at("authorisation")
    plan = {
        "file": upload("install.pdf"),
        "release_notes": "New rules",
        "planned_start": "2027-02-10T20:00",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(cast.act(cast.dc, release, "submit-installation-plan", plan), 201)
    approve, _ = link_in(cast.cust, "Installation plan v1 and release notes")
    client.force_login(cast.cust)
    assert "Confirm: Approve" in client.get(approve).content.decode()
    assert client.post(approve, {"verdict": "go"}).status_code == 302
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(cast.perform(cast.dc, release, "RM.5.1"))
    authorise, _ = link_in(cast.cust, "your authorisation of the installation")
    assert client.post(authorise, {"verdict": "go"}).status_code == 302
    by_link = Decision.objects.filter(release=release, channel="mail_link")
    assert sorted(d.kind for d in by_link) == ["authorisation", "installation_plan"]


def test_a_failed_installation_asks_the_threads_to_validate_the_rollback(
    release_at, cast, django_capture_on_commit_callbacks, client
):
    release = release_at("installation")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        install(cast, release, successful=False)
    validate, _ = link_in(cast.cust, "validation of the rollback")
    client.force_login(cast.cust)
    assert "Confirm: Validate the rollback" in client.get(validate).content.decode()
    assert client.post(validate, {"verdict": "go"}).status_code == 302
    decision = Decision.objects.get(release=release, kind="rollback")
    assert decision.channel == "mail_link"
    assert decision.installation_report == release.installation_reports.get()


def test_the_closure_asks_the_threads_for_their_ct_go_ahead_with_a_link(
    release_at, cast, django_capture_on_commit_callbacks, client
):
    release = release_at("installation", conformance_testing=True)
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    mail.outbox.clear()
    closure = {"configuration_manager_informed": True, "deployment_plan_updated": True}
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(cast.perform(cast.rm, release, "RM.6.7", closure))
    go_ahead, _ = link_in(cast.cust, "your go-ahead is awaited")
    client.force_login(cast.cust)
    assert "Confirm: GO: start the CT campaign" in client.get(go_ahead).content.decode()
    assert client.post(go_ahead, {"verdict": "go"}).status_code == 302
    decision = Decision.objects.get(release=release, kind="ct_go_ahead")
    assert decision.channel == "mail_link"
