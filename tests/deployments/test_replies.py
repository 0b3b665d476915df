"""Replies recorded as evidence (issue 16 point 2): a reply to a decision mail whose
first line says GO (NOGO, APPROVED, REJECTED) is the thread's decision, with the raw
mail as its evidence; anything else waits in the deployment coordinator's queue."""

import hashlib
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from deployments import replies
from deployments.models import Decision, InboundMail
from releasemgmt.notifications import inbound
from tests.lifecycle import upload
from tests.smtp import free_port
from tests.start import release_page
from tests.waiting import PATIENCE, wait_until


@pytest.fixture
def accepting(release_at, cast, django_capture_on_commit_callbacks):
    """A release in acceptance whose pSAT report's mail went to the thread's user."""
    release = release_at("acceptance")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(
            cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
            201,
        )
    return release


def reply_address(user, subject="pSAT report"):
    [message] = [m for m in mail.outbox if user.email in m.to and subject in m.subject]
    return message.reply_to[0]


def reply(to, *, sender="cust@example.org", text="Go.\n", subject="Re: pSAT report"):
    message = EmailMessage()
    message["From"] = f"Carla Cust <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.example.org")
    message.set_content(text + "\n> On Monday the tool wrote:\n> Decide from this e-mail\n")
    return message


def decisions(release):
    return list(Decision.objects.filter(release=release))


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("GO", "go"),
        ("Go.", "go"),
        ("\n\n  go!  \n> NOGO", "go"),
        ("no-go", "nogo"),
        ("No Go", "nogo"),
        ("Approved!", "go"),
        ("rejected.", "nogo"),
        ("> GO", None),
        ("I think we can GO", None),
        ("Goes", None),
        ("", None),
    ],
)
def test_the_first_line_is_read_case_and_punctuation_aside(text, verdict):
    assert replies.verdict_of(text) == verdict


@pytest.mark.django_db
def test_a_go_by_reply_is_recorded_with_the_raw_mail_as_evidence(accepting, cast):
    raw = reply(reply_address(cast.cust)).as_bytes()
    kept = replies.receive(raw)
    assert kept.status == InboundMail.Status.RECORDED
    [decision] = decisions(accepting)
    assert kept.decision == decision
    assert (decision.verdict, decision.channel) == ("go", "mail_reply")
    assert decision.business_thread.slug == "a3-cust"
    assert decision.decided_by_name == "Carla Cust"
    assert not decision.on_behalf
    assert decision.evidence_sha256 == hashlib.sha256(raw).hexdigest() == kept.sha256
    with decision.evidence.open("rb") as stored:
        assert stored.read() == raw
    api = cast.ok(cast.client(cast.cust).get(f"/api/v1/releases/{accepting.identifier}/decisions/"))
    assert api[0]["channel"] == "mail_reply"
    page = Client()
    page.force_login(cast.cust)
    assert "by reply to the mail" in release_page(page, accepting)


@pytest.mark.django_db
def test_an_approval_by_reply(release_at, cast, django_capture_on_commit_callbacks):
    release = release_at("authorisation")
    plan = {
        "file": upload("install.pdf"),
        "release_notes": "N",
        "planned_start": "2027-02-10T20:00",
    }
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(cast.act(cast.dc, release, "submit-installation-plan", plan), 201)
    address = reply_address(cast.cust, "Installation plan v1")
    assert replies.receive(reply(address, text="Approved!").as_bytes()).status == "recorded"
    decision = Decision.objects.get(release=release, kind="installation_plan")
    assert (decision.verdict_label, decision.channel) == ("Approved", "mail_reply")


@pytest.mark.django_db
def test_an_unknown_sender_is_queued(accepting, cast):
    raw = reply(reply_address(cast.cust), sender="someone@elsewhere.example").as_bytes()
    kept = replies.receive(raw)
    assert kept.status == InboundMail.Status.QUEUED
    assert "Unknown sender someone@elsewhere.example" in kept.reason
    assert decisions(accepting) == []


@pytest.mark.django_db
def test_unclear_text_is_queued(accepting, cast):
    raw = reply(reply_address(cast.cust), text="Let me check with my team first.").as_bytes()
    kept = replies.receive(raw)
    assert (kept.status, kept.reason.split(":")[0]) == ("queued", "Unclear")
    assert kept.request.release == accepting
    assert decisions(accepting) == []


@pytest.mark.django_db
def test_a_nogo_after_a_test_is_queued_for_its_consequence(accepting, cast):
    kept = replies.receive(reply(reply_address(cast.cust), text="NOGO").as_bytes())
    assert kept.status == "queued"
    assert "consequence" in kept.reason
    assert decisions(accepting) == []


@pytest.mark.django_db
def test_a_forged_or_altered_token_is_kept_as_suspicious(accepting, cast):
    address = reply_address(cast.cust)
    local, domain = address.split("@")
    altered = local[:-1] + ("A" if local[-1] != "A" else "B") + "@" + domain
    forged = f"decide+1.{'x' * 27}@{domain}"
    for to in (altered, forged):
        kept = replies.receive(reply(to).as_bytes())
        assert kept.status == InboundMail.Status.SUSPICIOUS
        assert kept.request is None
    assert decisions(accepting) == []


@pytest.mark.django_db
def test_a_stale_request_is_queued(accepting, cast, django_capture_on_commit_callbacks):
    address = reply_address(cast.cust)
    with django_capture_on_commit_callbacks(execute=True):
        cast.ok(
            cast.act(
                cast.dc, accepting, "submit-test-report", {"kind": "psat", "file": upload("b.pdf")}
            ),
            201,
        )
    kept = replies.receive(reply(address).as_bytes())
    assert kept.status == "queued"
    assert "superseded" in kept.reason
    assert decisions(accepting) == []


@pytest.mark.django_db
def test_the_same_mail_delivered_twice_is_kept_and_recorded_once(accepting, cast):
    raw = reply(reply_address(cast.cust)).as_bytes()
    first = replies.receive(raw)
    second = replies.receive(raw)
    assert first.pk == second.pk
    assert InboundMail.objects.count() == 1
    assert len(decisions(accepting)) == 1


@pytest.mark.django_db
def test_a_queued_reply_is_recorded_by_hand_with_the_mail_as_evidence(accepting, cast):
    raw = reply(reply_address(cast.cust), text="Yes, fine by us").as_bytes()
    kept = replies.receive(raw)
    client = Client()
    client.force_login(cast.dc)
    queue = client.get("/replies/").content.decode()
    assert "Yes, fine by us" in queue or kept.subject in queue
    assert "Unclear" in queue
    detail = client.get(f"/replies/{kept.pk}/").content.decode()
    assert "Yes, fine by us" in detail
    raw_download = client.get(f"/replies/{kept.pk}/raw/")
    assert raw_download.status_code == 200
    assert b"".join(raw_download.streaming_content) == raw
    # the coordinator submitted the report: nobody decides on what they submitted
    refused = client.post(
        f"/replies/{kept.pk}/record/",
        {"business_thread": "a3-cust", "verdict": "go", "decided_by_name": "Carla Cust"},
    )
    assert refused.status_code == 403
    assert "Nobody decides on what they submitted" in refused.content.decode()
    client.force_login(cast.rm)  # the release manager, Accountable for RM.4.1
    response = client.post(
        f"/replies/{kept.pk}/record/",
        {"business_thread": "a3-cust", "verdict": "go", "decided_by_name": "Carla Cust"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    kept.refresh_from_db()
    assert kept.status == InboundMail.Status.HANDLED
    [decision] = decisions(accepting)
    assert decision.on_behalf
    assert decision.channel == "mail_reply"
    assert decision.evidence_sha256 == hashlib.sha256(raw).hexdigest()
    assert "Yes, fine by us" not in client.get("/replies/").content.decode()
    api = cast.ok(cast.client(cast.dc).get("/api/v1/replies/?status=handled"))
    assert [row["id"] for row in api] == [kept.pk]


@pytest.mark.django_db
def test_the_coordinator_dismisses_a_reply_with_a_reason(accepting, cast):
    kept = replies.receive(reply(reply_address(cast.cust), sender="spam@x.example").as_bytes())
    client = Client()
    client.force_login(cast.dc)
    assert client.post(f"/replies/{kept.pk}/dismiss/", {"reason": ""}).status_code == 400
    response = client.post(f"/replies/{kept.pk}/dismiss/", {"reason": "Spam"})
    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.status, kept.dismiss_reason) == ("dismissed", "Spam")


@pytest.mark.django_db
def test_the_queue_is_the_coordinators(accepting, cast):
    kept = replies.receive(reply(reply_address(cast.cust), sender="spam@x.example").as_bytes())
    client = Client()
    for user in (cast.cust, cast.desk):
        client.force_login(user)
        assert client.get("/replies/").status_code == 403
        assert client.get(f"/replies/{kept.pk}/raw/").status_code == 403
        assert cast.client(user).get("/api/v1/replies/").status_code == 403


# --- end to end, through a real SMTP listener -------------------------------------------


def send(port, message):
    with smtplib.SMTP("127.0.0.1", port, timeout=PATIENCE) as smtp:
        smtp.send_message(message)


@pytest.mark.django_db(transaction=True)
def test_a_reply_sent_over_smtp_is_recorded(accepting, cast):
    address = reply_address(cast.cust)
    listener = inbound.listener(host="127.0.0.1", port=free_port())
    listener.start()
    try:
        send(listener.port, reply(address))
    finally:
        listener.stop()
    kept = InboundMail.objects.get()
    assert kept.status == InboundMail.Status.RECORDED
    assert kept.decision.channel == "mail_reply"


@pytest.mark.django_db(transaction=True)
def test_a_foreign_recipient_is_refused_at_smtp_level(accepting, cast):
    listener = inbound.listener(host="127.0.0.1", port=free_port())
    listener.start()
    try:
        with pytest.raises(smtplib.SMTPRecipientsRefused):
            send(listener.port, reply("someone@example.org"))
    finally:
        listener.stop()
    assert not InboundMail.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_listener_down_the_sender_retries_and_nothing_is_lost_or_doubled(accepting, cast):
    """Connection refused while the listener is down: the sending MTA keeps the mail and
    tries again; after the restart it is recorded once, and a second delivery of the same
    mail (the MTA not sure the first went through) changes nothing."""
    address = reply_address(cast.cust)
    port = free_port()
    message = reply(address)
    with pytest.raises(ConnectionRefusedError):
        send(port, message)
    assert not InboundMail.objects.exists()
    listener = inbound.listener(host="127.0.0.1", port=port)
    listener.start()
    try:
        send(port, message)  # the MTA's retry
        send(port, message)  # and once more
    finally:
        listener.stop()
    wait_until(lambda: InboundMail.objects.exists(), "the reply kept")
    assert InboundMail.objects.count() == 1
    assert len(decisions(accepting)) == 1


@pytest.mark.django_db(transaction=True)
def test_a_failure_to_keep_answers_451_so_the_sender_retries(accepting, cast):
    def broken(raw, **_):
        raise RuntimeError("database down")

    listener = inbound.listener(host="127.0.0.1", port=free_port(), receive=broken)
    listener.start()
    try:
        with pytest.raises(smtplib.SMTPDataError) as refused:
            send(listener.port, reply(reply_address(cast.cust)))
    finally:
        listener.stop()
    assert refused.value.smtp_code == 451
    assert not InboundMail.objects.exists()


@pytest.mark.django_db
def test_the_queue_costs_the_same_queries_for_one_mail_or_many(accepting, cast):
    address = reply_address(cast.cust)
    client = Client()
    client.force_login(cast.dc)
    replies.receive(reply(address, sender="one@x.example").as_bytes())
    with CaptureQueriesContext(connection) as one:
        assert client.get("/replies/").status_code == 200
    for n in range(5):
        replies.receive(reply(address, sender=f"more{n}@x.example").as_bytes())
    with CaptureQueriesContext(connection) as many:
        page = client.get("/replies/").content.decode()
    assert page.count("Unknown sender") == 6
    assert len(many) == len(one)


@pytest.mark.django_db(transaction=True)
def test_a_mail_beyond_the_upload_limit_is_refused_by_the_listener(accepting, cast, settings):
    settings.MAX_UPLOAD_SIZE = 2000
    listener = inbound.listener(host="127.0.0.1", port=free_port())
    listener.start()
    try:
        with pytest.raises(smtplib.SMTPException):
            send(listener.port, reply(reply_address(cast.cust), text="GO\n" + "x" * 5000))
    finally:
        listener.stop()
    assert not InboundMail.objects.exists()
