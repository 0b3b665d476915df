"""The personal link of a mail: the login first and back, a confirmation on GET, one
action on POST, and clear pages for a link used, expired or superseded; someone else's
or an altered token is a link that does not exist."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from releasemgmt.accounts.models import PersonalLink
from releasemgmt.audit.models import AuditEntry
from satisfaction import services
from satisfaction.models import Survey

from .conftest import links_in, mail_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(closed, cast):
    """The path of the link mailed to the thread's user after the closure."""
    [path] = links_in(mail_to(cast.cust))
    return path


def survey_of(user):
    return Survey.objects.get(respondent=user)


def test_the_mail_carries_a_signed_link_and_only_its_digest_is_kept(link, cast):
    token = link.split("/")[3]
    record = PersonalLink.objects.get(user=cast.cust)
    assert token not in record.digest
    assert len(record.digest) == 64
    assert record.purpose == "satisfaction"
    assert record.target == survey_of(cast.cust)
    lasts = record.expires_at - record.created_at
    assert abs(lasts - datetime.timedelta(days=14)) < datetime.timedelta(minutes=1)


def test_get_shows_the_form_and_records_nothing(link, cast, client):
    client.force_login(cast.cust)
    response = client.get(link)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Your satisfaction with release" in body
    assert 'name="score"' in body
    assert survey_of(cast.cust).answered_at is None
    assert PersonalLink.objects.get(user=cast.cust).used_at is None


def test_the_login_comes_first_and_returns_to_the_link(link, cast):
    client = Client()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == f"/login/?next={link.replace(':', '%3A')}"
    response = client.post(
        response["Location"], {"username": "cust", "password": "pw"}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == link
    assert 'name="score"' in client.get(link).content.decode()


def test_post_answers_once_and_the_second_time_says_already_answered(link, cast, client):
    client.force_login(cast.cust)
    response = client.post(link, {"score": "8", "comment": "Smooth go-live"})
    assert response.status_code == 302
    assert response["Location"] == f"{link}?done"
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you" in thanks
    assert "score 8 / 10" in thanks
    survey = survey_of(cast.cust)
    assert (survey.score, survey.comment) == (8, "Smooth go-live")
    again = client.post(link, {"score": "2", "comment": "Changed my mind"})
    assert again.status_code == 409
    assert "Already answered on" in again.content.decode()
    assert survey_of(cast.cust).score == 8
    shown = client.get(link)
    assert shown.status_code == 200
    assert "Already answered on" in shown.content.decode()
    assert AuditEntry.objects.filter(action="personal_link_used").count() == 1
    assert AuditEntry.objects.filter(action="satisfaction_answered").count() == 1


def test_a_bad_score_keeps_the_input_and_spends_nothing(link, cast, client):
    client.force_login(cast.cust)
    response = client.post(link, {"score": "11", "comment": "Kept as typed"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Kept as typed" in body
    assert 'role="alert"' in body
    assert PersonalLink.objects.get(user=cast.cust).used_at is None
    assert survey_of(cast.cust).answered_at is None


def test_another_user_s_link_and_an_altered_token_are_not_found(link, cast, client):
    client.force_login(cast.rm)  # asked too (the requester), but this link is not theirs
    assert client.get(link).status_code == 404
    assert client.post(link, {"score": "3"}).status_code == 404
    client.force_login(cast.cust)
    token = link.split("/")[3]
    altered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for path in (link.replace(token, altered), link.replace(token, "x" + token)):
        assert client.get(path).status_code == 404
        assert client.post(path, {"score": "3"}).status_code == 404
    assert client.get("/account/links/nosuchtoken/").status_code == 404
    assert survey_of(cast.cust).answered_at is None


def test_an_expired_link_says_so_and_acts_no_more(link, cast, client):
    PersonalLink.objects.filter(user=cast.cust).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    client.force_login(cast.cust)
    assert "This link expired on" in client.get(link).content.decode()
    response = client.post(link, {"score": "5"})
    assert response.status_code == 409
    assert "This link expired on" in response.content.decode()
    assert survey_of(cast.cust).answered_at is None


def test_the_reminder_s_link_supersedes_the_first(
    link, cast, client, django_capture_on_commit_callbacks
):
    Survey.objects.update(asked_at=timezone.now() - datetime.timedelta(days=8))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.remind_owed() == 2
    [newer] = links_in(mail_to(cast.cust, "Reminder"))
    client.force_login(cast.cust)
    response = client.post(link, {"score": "5"})
    assert response.status_code == 409
    assert "A newer link replaces this one" in response.content.decode()
    assert survey_of(cast.cust).answered_at is None
    assert client.post(newer, {"score": "5"}).status_code == 302
    assert survey_of(cast.cust).score == 5


def test_answering_in_the_tool_spends_the_mail_s_link(link, cast, client, closed):
    client.force_login(cast.cust)
    page = f"/releases/{closed.identifier}/satisfaction/answer/"
    assert client.post(page, {"score": "9"}).status_code == 302
    assert "Already answered on" in client.get(link).content.decode()
    assert client.post(page, {"score": "1"}).status_code == 409
