"""The service desk's mass notifications: subscriber lists imported from CSV, a preview
with the audience, sending in batches with stored progress."""

import os

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from deployments import mass_sending
from deployments.models import MassNotification, MassRecipient
from deployments.services import mass_notifications
from deployments.tasks import resume_mass_notifications_task
from dsl.models import Subscriber
from tests.waiting import wait_until

CSV = (
    b"email,name\nana@example.org,Ana\nnot-an-address,Bob\nana@example.org,Ana again\n"
    b"bo@example.org,Bo\n"
)


def csv_file(content=CSV):
    return SimpleUploadedFile("subscribers.csv", content, content_type="text/csv")


@pytest.fixture
def desk(cast):
    return cast.desk


def test_csv_import_keeps_good_rows_and_reports_bad_ones(
    client, api, desk, application, coordinator
):
    client.force_login(desk)
    response = client.post(f"/applications/{application.code}/subscribers/", {"file": csv_file()})
    page = response.content.decode()
    assert "2 added, 2 lines refused" in page
    assert "Line 3: &#x27;not-an-address&#x27; is not an e-mail address." in page
    assert "Line 4: ana@example.org is already subscribed." in page
    assert set(Subscriber.objects.values_list("email", flat=True)) == {
        "ana@example.org",
        "bo@example.org",
    }
    body = (
        api(desk)
        .post(
            f"/api/v1/applications/{application.code}/subscribers/import/",
            {"file": csv_file(b"email\ncy@example.org\nana@example.org\n")},
            format="multipart",
        )
        .json()
    )
    assert body == {"added": 1, "errors": ["Line 3: ana@example.org is already subscribed."]}
    response = api(coordinator).post(
        f"/api/v1/applications/{application.code}/subscribers/import/",
        {"file": csv_file()},
        format="multipart",
    )
    assert response.status_code == 403
    bad = api(desk).post(
        f"/api/v1/applications/{application.code}/subscribers/import/",
        {"file": csv_file(b"mail;name\nx@y.z;x\n")},
        format="multipart",
    )
    assert bad.status_code == 400
    assert "file" in bad.json()


def test_the_service_desk_sends_once_the_coordinator_asked(
    cast, api, desk, release_in_installation, django_capture_on_commit_callbacks
):
    release = release_in_installation
    url = f"/api/v1/releases/{release.identifier}/mass-notifications/"
    data = {"moment": "before", "subject": "ECS down Saturday", "body": "20:00-22:00"}
    response = api(desk).post(url, data, format="json")
    assert response.status_code == 409
    assert response.json()["missing"] == ["RM.6.1"]
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "ECS down Saturday"}))
    assert api(cast.dc).post(url, data, format="json").status_code == 403
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        body = cast.ok(api(desk).post(url, data, format="json"), 201)
    progress = cast.ok(api(desk).get(f"/api/v1/mass-notifications/{body['id']}/"))
    assert (progress["total"], progress["sent"], progress["percent"]) == (450, 450, 100)
    assert progress["status"] == "done"
    assert len(mail.outbox) == 450
    assert len({m.to[0] for m in mail.outbox}) == 450
    assert api(desk).post(url, data, format="json").status_code == 409  # once per moment


def test_the_page_previews_the_audience_and_shows_progress(
    client, cast, desk, release_in_installation
):
    release = release_in_installation
    cast.ok(
        cast.perform(
            cast.dc, release, "RM.6.1", {"message": "ECS down Saturday", "disruption": "2 hours"}
        )
    )
    client.force_login(desk)
    page = client.get(f"/releases/{release.identifier}/mass-notification/").content.decode()
    assert "Send to 450 users" in page
    assert "Expected disruption: 2 hours" in page
    response = client.post(
        f"/releases/{release.identifier}/mass-notification/",
        {"moment": "before", "subject": "ECS down", "body": "Saturday"},
    )
    assert response.status_code == 302
    notification = MassNotification.objects.get()
    fragment = client.get(f"/mass-notifications/{notification.pk}/progress/").content.decode()
    assert "450 in all" in fragment


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis")
def test_real_worker_sends_each_subscriber_exactly_once(
    redis_worker, smtp_sink, cast, desk, release_in_installation
):

    release = release_in_installation
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime"}))
    notification = mass_notifications.send_mass_notification(
        release, by=desk, moment="before", subject="Downtime", body="Saturday"
    )
    done = MassNotification.objects.filter(pk=notification.pk, status="done")
    wait_until(done.exists, "the mass notification to be done")
    notification.refresh_from_db()
    assert (notification.sent, notification.failed) == (450, 0)
    mass_mails = [m for m in smtp_sink.messages if m[1].startswith("<mass-")]
    assert len(mass_mails) == 450
    assert len({rcpt for rcpt, _, _ in mass_mails}) == 450
    assert not MassRecipient.objects.exclude(status="sent").exists()


def test_subscribers_are_maintained_one_by_one(client, desk, application, coordinator):
    client.force_login(desk)
    path = f"/applications/{application.code}/subscribers/"
    client.post(path, {"email": "Eve@Example.org", "name": "Eve"})
    assert list(Subscriber.objects.values_list("email", flat=True)) == ["eve@example.org"]
    response = client.post(path, {"email": "eve@example.org"}, follow=True)
    assert "eve@example.org is already subscribed." in response.content.decode()
    client.post(path, {"remove": "eve@example.org"})
    assert not Subscriber.objects.exists()
    client.force_login(coordinator)
    assert client.post(path, {"email": "x@example.org"}).status_code == 403


def test_only_the_desk_and_release_managers_see_the_addresses(
    client, cast, desk, release_manager, coordinator, application
):
    """Impacted users' addresses are personal data (RM.6.1 needs them, few others do)."""
    Subscriber.objects.create(application=application, email="ann@example.org")
    path = f"/applications/{application.code}/subscribers/"
    for user in (desk, release_manager):
        client.force_login(user)
        assert "ann@example.org" in client.get(path).content.decode()
    for user in (coordinator, cast.cust):
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 403
        assert "ann@example.org" not in response.content.decode()


def test_unfinished_mass_notifications_are_queued_again(
    cast, desk, release_in_installation, django_capture_on_commit_callbacks
):

    release = release_in_installation
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime"}))
    notification = mass_notifications.send_mass_notification(
        release, by=desk, moment="before", subject="Downtime", body="Saturday"
    )
    # The task was lost with the broker (its on-commit callback never ran here).
    assert list(mass_sending.unfinished(0)) == [notification.pk]
    mail.outbox.clear()
    resume_mass_notifications_task(older_than_seconds=0)  # eager in tests: sends at once
    notification.refresh_from_db()
    assert (notification.status, notification.sent) == ("done", 450)
    assert len([m for m in mail.outbox if m.subject == "Downtime"]) == 450


def test_refused_addresses_are_failed_with_the_servers_reason(
    smtp_server, client, cast, desk, release_in_installation, application
):
    """RM.6.1: the desk sees who was not reached and why, on the page and through the API."""
    from tests.smtp import RefusingSink

    sink = smtp_server(RefusingSink())
    Subscriber.objects.create(application=application, email="gone1@example.org")
    Subscriber.objects.create(application=application, email="gone2@example.org")
    release = release_in_installation
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime"}))
    notification = mass_notifications.send_mass_notification(
        release, by=desk, moment="before", subject="Downtime", body="Saturday"
    )
    mass_sending.send_batches(notification.pk)
    notification.refresh_from_db()
    assert (notification.status, notification.sent, notification.failed) == ("done", 450, 2)
    assert len([m for m in sink.messages if m[1].startswith("<mass-")]) == 450

    progress = cast.ok(cast.api(desk).get(f"/api/v1/mass-notifications/{notification.pk}/"))
    assert progress["percent"] == 100
    assert progress["failures"] == [
        {"email": "gone1@example.org", "error": "550 5.1.1 No such user here"},
        {"email": "gone2@example.org", "error": "550 5.1.1 No such user here"},
    ]
    client.force_login(desk)
    page = client.get(f"/releases/{release.identifier}/mass-notification/").content.decode()
    assert "2 not delivered" in page
    assert "gone2@example.org</td><td>550 5.1.1 No such user here" in page
