"""The service desk's mass notifications: what a subject and a body may hold, a sending
that always ends, one notification per moment of each installation round, who sees the
refused addresses, and what the desk's pages offer."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes.models import RfC
from deployments import mass_sending
from deployments.models import MassNotification, MassRecipient, NotificationRequest
from deployments.services import mass_notifications
from deployments.tasks import send_mass_notification_task
from dsl.models import Subscriber
from tests.lifecycle import STAGE_WORK, install, walk_to
from tests.start import start_page

MIB = 1024 * 1024
GOOD = {"moment": "before", "subject": "ECS down Saturday", "body": "20:00-22:00\r\nSorry."}

#: the classes of input that broke before, field by field
BAD = {
    "moment": ["before\r\n", "\x00", "\ud800", "b" * (MIB + 1), "later"],
    "subject": [
        "ECS down\r\nBcc: everyone@example.org",
        "ECS down\nSaturday",
        "ECS down\rSaturday",
        "ECS\x00down",
        "ECS\x07down",
        "ECS\tdown",
        "ECS\u2028down",
        "ECS\ud800down",
        "s" * (MIB + 1),
    ],
    "body": ["Down\x00time", "Down\x1btime", "Down\x7ftime", "Down\ud800time", "b" * (MIB + 1)],
}
CASES = [(field, value) for field, values in BAD.items() for value in values]


def post_json(client, url, data):
    """JSON as a client may send it: \\u escapes for what UTF-8 cannot carry (a lone
    surrogate), which the test client's renderer would refuse to encode."""
    return client.post(url, json.dumps(data), content_type="application/json")


def requested(cast, release, code="RM.6.1", message="ECS down Saturday"):
    cast.ok(cast.perform(cast.dc, release, code, {"message": message}))


def mass_url(release):
    return f"/api/v1/releases/{release.identifier}/mass-notifications/"


def page_url(release):
    return f"/releases/{release.identifier}/mass-notification/"


# --- bad input: refused up front, naming the field, nothing saved --------------------------


def test_api_refuses_bad_input_naming_the_field(
    api, cast, release_in_installation, django_capture_on_commit_callbacks
):
    release = release_in_installation
    requested(cast, release)
    for field, value in CASES:
        with django_capture_on_commit_callbacks(execute=True):
            response = post_json(api(cast.desk), mass_url(release), GOOD | {field: value})
        assert response.status_code == 400, (field, value[:20], response.content[:300])
        assert field in response.json(), (field, value[:20], response.json())
    assert not MassNotification.objects.exists()
    assert not MassRecipient.objects.exists()


def test_web_form_refuses_bad_input_on_the_field(
    client, cast, release_in_installation, django_capture_on_commit_callbacks
):
    release = release_in_installation
    requested(cast, release)
    client.force_login(cast.desk)
    for field, value in CASES:
        if "\ud800" in value:
            continue  # a form post carries UTF-8, which has no lone surrogate
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(page_url(release), GOOD | {field: value})
        assert response.status_code == 400, (field, value[:20])
        assert field in response.context["form"].errors, (field, value[:20])
    assert not MassNotification.objects.exists()


def test_after_a_refused_subject_the_good_one_is_sent(
    api, client, cast, release_in_installation, django_capture_on_commit_callbacks
):
    """A line break in the subject once answered 500 and left the notification 'sending'
    for ever: the next one was refused as sent already."""
    release = release_in_installation
    requested(cast, release)
    bad = GOOD | {"subject": "ECS down\r\nBcc: everyone@example.org"}
    with django_capture_on_commit_callbacks(execute=True):
        response = api(cast.desk).post(mass_url(release), bad, format="json")
    assert response.status_code == 400
    assert "subject" in response.json()
    client.force_login(cast.desk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page_url(release), bad)
    assert response.status_code == 400
    assert "one line" in response.content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        body = cast.ok(api(cast.desk).post(mass_url(release), GOOD, format="json"), 201)
    notification = MassNotification.objects.get(pk=body["id"])
    assert (notification.status, notification.sent) == ("done", 450)
    assert {m.subject for m in mail.outbox} == {"ECS down Saturday"}


def test_the_request_to_notify_refuses_what_no_mail_can_carry(
    api, client, cast, release_in_installation
):
    """RM.6.1 / RM.6.6: the coordinator's message and disruption become the mass e-mail's
    body: the same classes of input are refused there, naming the field."""
    release = release_in_installation
    path = f"/releases/{release.identifier}/activities/RM.6.1/"
    client.force_login(cast.dc)
    for field in ("message", "disruption"):
        for value in BAD["body"]:
            data = {"message": "Downtime Saturday"} | {field: value}
            response = post_json(api(cast.dc), f"/api/v1{path}", data)
            assert response.status_code == 400, (field, value[:20], response.content[:300])
            assert field in response.json(), (field, value[:20])
            if "\ud800" not in value:
                response = client.post(path, data)
                assert response.status_code == 400, (field, value[:20])
                assert field in response.context["form"].errors, (field, value[:20])
    assert not NotificationRequest.objects.exists()
    data = {"message": "Downtime\r\n\tSaturday", "disruption": "2 hours"}
    cast.ok(post_json(api(cast.dc), f"/api/v1{path}", data))
    client.force_login(cast.desk)
    page = client.get(page_url(release)).content.decode()
    assert "Downtime\r\n\tSaturday\n\nExpected disruption: 2 hours</textarea>" in page


# --- a sending always ends --------------------------------------------------------------------


@pytest.fixture
def notification(cast, release_in_installation):
    release = release_in_installation
    requested(cast, release)
    return mass_notifications.send_mass_notification(
        release, by=cast.desk, moment="before", subject="Downtime", body="Saturday"
    )


def test_a_message_that_cannot_be_built_fails_every_recipient_and_ends(notification):
    # A subject stored before subjects were checked.
    MassNotification.objects.filter(pk=notification.pk).update(subject="Down\r\nBcc: x@y.z")
    mail.outbox.clear()
    assert send_mass_notification_task.delay(notification.pk).get() == 0
    notification.refresh_from_db()
    assert (notification.status, notification.sent, notification.failed) == ("done", 0, 450)
    assert notification.percent == 100
    errors = set(notification.recipients.values_list("error", flat=True))
    assert len(errors) == 1
    assert "newlines" in errors.pop()
    assert not mail.outbox
    assert list(mass_sending.unfinished(0)) == []


def test_an_address_that_cannot_be_sent_to_fails_alone(notification):
    MassRecipient.objects.filter(notification=notification, email="user7@example.org").update(
        email="user7@example.org\nBcc: x@y.z"
    )
    mail.outbox.clear()
    assert send_mass_notification_task.delay(notification.pk).get() == 449
    notification.refresh_from_db()
    assert (notification.status, notification.sent, notification.failed) == ("done", 449, 1)
    failed = notification.recipients.get(status="failed")
    assert failed.email.startswith("user7@")
    assert failed.error
    assert len(mail.outbox) == 449


def test_an_unexpected_error_fails_what_is_left_with_the_reason(notification, monkeypatch):
    sent = []
    real = mass_sending._message

    def breaking(notification, recipient):
        if recipient.pk:  # not the probe that checks the message can be built at all
            if len(sent) == 3:
                raise RuntimeError("template engine broke")
            sent.append(recipient)
        return real(notification, recipient)

    monkeypatch.setattr(mass_sending, "_message", breaking)
    assert send_mass_notification_task.delay(notification.pk).get() == 0
    notification.refresh_from_db()
    assert (notification.status, notification.sent, notification.failed) == ("done", 3, 447)
    assert not notification.recipients.filter(status__in=["queued", "sending"]).exists()
    reasons = set(notification.recipients.filter(status="failed").values_list("error", flat=True))
    assert reasons == {"RuntimeError: template engine broke"}


# --- one notification per moment of each installation round --------------------------------


def test_one_mass_notification_per_moment_and_installation_round(
    api, cast, release_in_installation, django_capture_on_commit_callbacks
):
    """After a rollback and a re-authorisation the users are told again, before and after
    the second installation; twice in one round is refused."""
    release = release_in_installation
    desk = api(cast.desk)

    def send(moment, status=201):
        with django_capture_on_commit_callbacks(execute=True):
            response = desk.post(mass_url(release), GOOD | {"moment": moment}, format="json")
        assert response.status_code == status, response.json()
        return response.json()

    install(cast, release, successful=False)
    first = send("before")
    assert send("before", 409)["detail"] == "This mass notification has been sent already."
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))
    assert send("after", 409)["missing"] == ["RM.6.6"]
    requested(cast, release, "RM.6.6", "Rolled back to 3.1.7")
    send("after")
    cast.ok(
        cast.api(cast.dc).post(
            f"/api/v1/releases/{release.identifier}/transitions/reauthorise/", {}, format="json"
        )
    )
    # A new round: the requests of the first one are answered, the new ones not made yet.
    assert send("before", 409)["missing"] == ["RM.6.1"]
    assert send("after", 409)["missing"] == ["RM.6.6"]
    STAGE_WORK["authorisation"](cast, release)
    install(cast, release, successful=True)
    second = send("before")
    assert send("before", 409)["detail"] == "This mass notification has been sent already."
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    requested(cast, release, "RM.6.6", "ECS 3.2.0 is available")
    send("after")
    assert send("after", 409)["detail"] == "This mass notification has been sent already."

    answered = MassNotification.objects.filter(release=release).order_by("created_at")
    assert [n.moment for n in answered] == ["before", "after", "before", "after"]
    requests = NotificationRequest.objects.filter(release=release).order_by("recorded_at")
    assert [n.request for n in answered] == list(requests)
    assert second["id"] != first["id"]
    assert MassNotification.objects.get(pk=second["id"]).status == "done"


# --- who sees the refused addresses ------------------------------------------------------------


def test_refused_addresses_only_for_who_may_see_subscribers(
    smtp_server, client, api, cast, make_user, organisation, release_in_installation, application
):
    """Subscribers' addresses are personal data: the threads and the developers, who may
    not read the subscriber list, see how many were not reached, not who."""
    from tests.smtp import RefusingSink

    smtp_server(RefusingSink())
    Subscriber.objects.create(application=application, email="gone1@example.org")
    release = release_in_installation
    requested(cast, release)
    notification = mass_notifications.send_mass_notification(
        release, by=cast.desk, moment="before", subject="Downtime", body="Saturday"
    )
    mass_sending.send_batches(notification.pk)
    developer = make_user("dev", groups=[organisation.group])
    api_path = f"/api/v1/mass-notifications/{notification.pk}/"
    fragment = f"/mass-notifications/{notification.pk}/progress/"
    for user in (cast.desk, cast.rm):
        body = cast.ok(api(user).get(api_path))
        assert body["failures"] == [
            {"email": "gone1@example.org", "error": "550 5.1.1 No such user here"}
        ]
        client.force_login(user)
        assert "gone1@example.org" in client.get(fragment).content.decode()
        assert "gone1@example.org" in client.get(page_url(release)).content.decode()
    for user in (cast.cust, developer, cast.dc):
        client.force_login(user)
        assert client.get(f"/applications/{application.code}/subscribers/").status_code == 403
        response = api(user).get(api_path)
        assert response.status_code == 200
        assert (response.json()["failed"], response.json()["failures"]) == (1, [])
        assert "gone1" not in response.content.decode()
        for path in (fragment, page_url(release)):
            page = client.get(path).content.decode()
            assert "1 not delivered" in page
            assert "gone1" not in page


# --- the service desk's pages --------------------------------------------------------------------


def test_the_desks_start_page_lists_the_requests_to_notify_in_fixed_queries(
    client, cast, make_release, release_in_installation
):
    release = release_in_installation
    client.force_login(cast.desk)
    assert "Mass notifications to send" not in start_page(client)
    requested(cast, release)
    with CaptureQueriesContext(connection) as one:
        page = start_page(client)
    assert "Mass notifications to send" in page
    assert f'href="{page_url(release)}?moment=before"' in page
    for n in (2, 3):
        other = make_release(threads=["a3-cust"])
        rfc = RfC.objects.create(
            reference=f"RFC-10{n}",
            title="More rules",
            status=RfC.Status.AUTHORISED,
            requester=cast.rm,
        )
        cast.ok(cast.act(cast.rm, other, "include-rfc", {"rfc": rfc.reference}, False), 201)
        walk_to(cast, other, "installation")
        requested(cast, other)
    with CaptureQueriesContext(connection) as three:
        page = start_page(client)
    assert page.count("?moment=before") == 3
    assert len(three.captured_queries) == len(one.captured_queries)

    mass_notifications.send_mass_notification(
        release, by=cast.desk, moment="before", subject="Downtime", body="Saturday"
    )
    page = start_page(client)
    assert page.count("?moment=before") == 2
    assert f"{page_url(release)}?moment" not in page
    client.force_login(cast.dc)  # not the service desk
    assert "Mass notifications to send" not in start_page(client)


def test_the_release_page_links_to_the_mass_notification_once_asked(
    client, cast, make_user, release_in_installation
):
    release = release_in_installation
    link = f'href="{page_url(release)}"'
    client.force_login(cast.desk)
    assert link not in client.get(f"/releases/{release.identifier}/").content.decode()
    requested(cast, release)
    for user in (cast.desk, cast.dc, cast.cust):
        client.force_login(user)
        assert link in client.get(f"/releases/{release.identifier}/").content.decode(), user
    # sees every release, holds no party on this one
    outsider = make_user("auditor")
    outsider.user_permissions.add(Permission.objects.get(codename="view_release"))
    client.force_login(outsider)
    page = client.get(f"/releases/{release.identifier}/")
    assert page.status_code == 200
    assert link not in page.content.decode()


def test_the_page_says_what_is_missing_and_offers_only_what_may_be_sent(
    client, cast, release_in_installation, django_capture_on_commit_callbacks
):
    release = release_in_installation
    client.force_login(cast.desk)
    page = client.get(page_url(release)).content.decode()
    assert "the deployment coordinator has not asked yet (RM.6.1)" in page
    assert "<form" not in page.split("<main", 1)[1]
    assert "Send to" not in page

    requested(cast, release)
    page = client.get(page_url(release)).content.decode()
    assert "Send to 450 users" in page
    assert 'value="after"' not in page  # not asked for: not offered
    with django_capture_on_commit_callbacks(execute=True):  # sent when the post commits
        assert client.post(page_url(release), GOOD).status_code == 302
    assert MassNotification.objects.get().status == "done"
    page = client.get(page_url(release)).content.decode()
    assert "Mass notification recorded" in page
    assert "Sending" not in page  # neither the message nor the state says so
    assert "Done" in page
    assert "Send to" not in page
    assert "the deployment coordinator has not asked yet (RM.6.6)" in page
    # a moment already sent is refused on the page too, with the reason
    response = client.post(page_url(release), GOOD)
    assert response.status_code == 409
    assert "This mass notification has been sent already." in response.content.decode()
    assert MassNotification.objects.count() == 1
