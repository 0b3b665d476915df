"""The survey after closure: who is asked and how, the answers on the release page and
in the API for the release manager, one's own for a respondent, the average, the one
reminder, the start page's item."""

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from raci.models import Party
from releasemgmt.notifications.models import Communication
from satisfaction import selectors, services
from satisfaction.models import Survey
from satisfaction.tasks import remind_task
from tests.start import start_page

from .conftest import links_in, mail_to

pytestmark = pytest.mark.django_db


def test_closure_asks_each_thread_user_and_each_requester_once(closed, cast):
    surveys = {s.respondent.username: s for s in Survey.objects.filter(release=closed)}
    assert set(surveys) == {"cust", "rita"}  # the thread's user; RFC-100's requester
    assert surveys["cust"].thread.slug == "a3-cust"
    assert not surveys["cust"].requester
    assert (surveys["rita"].thread, surveys["rita"].requester) == (None, True)
    for user in (cast.cust, cast.rm):
        message = mail_to(user)
        assert message.subject.startswith(f"[{closed.identifier}] How satisfied")
        assert len(links_in(message)) == 1
    # kept in the outbox without the secret: the inbox links the page in the tool
    kept = Communication.objects.filter(personal_purpose="satisfaction")
    assert kept.count() == 2
    assert {c.link for c in kept} == {f"/releases/{closed.identifier}/satisfaction/answer/"}
    assert not any("/account/links/" in c.body for c in kept)
    assert services.ask_after_closure(closed, by=cast.rm) == []  # never twice


def test_a_release_not_closed_asks_nobody(release_at, cast):
    release = release_at("installation")
    assert services.ask_after_closure(release, by=cast.rm) == []
    assert not Survey.objects.exists()


def test_the_release_manager_reads_every_answer_and_the_average(closed, cast, client, api):
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    answer = api(cast.cust).post(path, {"score": 7, "comment": "Good"}, format="json")
    assert answer.status_code == 201, answer.json()
    assert [s["respondent"] for s in answer.json()["surveys"]] == ["cust"]  # their own
    assert answer.json()["average"] is None
    answer = api(cast.rm).post(path, {"score": 10}, format="json")
    assert answer.status_code == 201
    data = api(cast.rm).get(path).json()
    assert (data["average"], data["answered"], data["owed"]) == (8.5, 2, 0)
    assert {s["respondent"]: s["score"] for s in data["surveys"]} == {"cust": 7, "rita": 10}
    again = api(cast.cust).post(path, {"score": 1}, format="json")
    assert again.status_code == 409
    assert again.json()["missing"] == ["answered"]
    client.force_login(cast.rm)
    section = client.get(
        f"/releases/{closed.identifier}/satisfaction/", headers={"HX-Request": "true"}
    )
    body = section.content.decode()
    assert 'id="satisfaction"' in body
    assert "Average score <strong" in body
    assert ">8.5<" in body
    client.force_login(cast.cust)
    body = client.get(f"/releases/{closed.identifier}/satisfaction/").content.decode()
    assert "Good" in body
    assert "Average" not in body
    assert "Rita" not in body


def test_the_post_release_review_counts_the_answers_for_the_release_manager_only(
    closed, cast, client, api
):
    """The review's "Satisfaction survey" line (seed 002 section 6): the release manager
    reads the average of the answers given and how many are owed; anyone else a link to
    their own answer, with no figure of the others'."""
    page = f"/releases/{closed.identifier}/review/"
    client.force_login(cast.rm)
    assert "No answer yet · 2 owed" in client.get(page).content.decode()
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    assert api(cast.cust).post(path, {"score": 7}, format="json").status_code == 201
    assert api(cast.rm).post(path, {"score": 8}, format="json").status_code == 201
    body = client.get(page).content.decode()
    assert "7.5 / 10 from 2 answers" in body
    assert "owed" not in body.split("Satisfaction survey", 1)[1].split("</dd>", 1)[0]
    client.force_login(cast.cust)
    line = client.get(page).content.decode().split("Satisfaction survey", 1)[1]
    line = line.split("</dd>", 1)[0]
    assert "Your answer" in line
    assert "/ 10" not in line


def test_someone_not_asked_cannot_answer(closed, cast, api, make_user):
    other = make_user("cora", "ITSM Configuration Manager")
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    assert api(other).post(path, {"score": 5}, format="json").status_code == 404
    assert api(other).get(path).json()["surveys"] == []


def test_the_api_refuses_a_bad_score_naming_the_field(closed, cast, api):
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    for bad in (-1, 11, 10**20, "8", None):
        response = api(cast.cust).post(path, {"score": bad}, format="json")
        assert response.status_code == 400, bad
        assert "score" in response.json(), bad
    response = api(cast.cust).post(path, {}, format="json")
    assert response.status_code == 400
    assert "score" in response.json()
    assert Survey.objects.get(respondent=cast.cust).answered_at is None


def test_one_reminder_goes_to_those_who_have_not_answered_never_two(
    closed, cast, api, django_capture_on_commit_callbacks
):
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    api(cast.rm).post(path, {"score": 9}, format="json")
    assert services.remind_owed() == 0  # not yet: seven days
    Survey.objects.update(asked_at=timezone.now() - datetime.timedelta(days=7, minutes=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert remind_task.delay().get() == 1
        assert remind_task.delay().get() == 0
    assert [m.to for m in mail.outbox] == [[cast.cust.email]]
    assert len(links_in(mail_to(cast.cust, "Reminder"))) == 1
    assert Survey.objects.get(respondent=cast.cust).reminded_at is not None


def test_average_score_selector_per_period(closed, cast, api):
    path = f"/api/v1/releases/{closed.identifier}/satisfaction/"
    api(cast.cust).post(path, {"score": 6}, format="json")
    api(cast.rm).post(path, {"score": 9}, format="json")
    assert selectors.average_score() == {"average": 7.5, "answers": 2, "asked": 2}
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    assert selectors.average_score(since=tomorrow)["answers"] == 0
    assert selectors.average_by_release([closed]) == {closed.pk: 7.5}


def test_the_start_page_lists_the_surveys_the_user_owes(closed, cast, client):
    client.force_login(cast.cust)
    body = start_page(client)
    assert "Satisfaction surveys you owe" in body
    assert f"/releases/{closed.identifier}/satisfaction/answer/" in body
    page = f"/releases/{closed.identifier}/satisfaction/answer/"
    assert client.post(page, {"score": "4"}).status_code == 302
    assert "Thank you" in client.get(f"{page}?done").content.decode()
    assert "Satisfaction surveys you owe" not in start_page(client)


def test_the_section_and_the_form_take_as_many_queries_for_many_respondents_as_for_few(
    closed, cast, client, make_user
):
    def count(user, path):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    section = f"/releases/{closed.identifier}/satisfaction/"
    form = f"/releases/{closed.identifier}/satisfaction/answer/"
    few = count(cast.rm, section), count(cast.cust, form)
    group = Party.objects.get(slug="a3-cust").group
    for n in range(12):
        make_user(f"thread{n}", groups=[group])
    assert len(services.ask_after_closure(closed, by=cast.rm)) == 12
    for survey in Survey.objects.filter(respondent__username__startswith="thread")[:6]:
        services.answer(survey, by=survey.respondent, score=5, comment="ok")
    assert (count(cast.rm, section), count(cast.cust, form)) == few
    assert few[0] <= 12
    assert few[1] <= 12
