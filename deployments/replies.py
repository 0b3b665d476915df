"""Replies to the mails that ask for a decision (issue 16 point 2). The mail's Reply-To is
``decide+<signed token>@<MAIL_REPLY_DOMAIN>`` (``services.decision_requests``); whatever
the loopback listener (``manage.py receive_mail``) receives comes to ``receive``.

A reply is recorded as the thread's decision, with the whole raw message as its
evidence (SHA-256 kept as for any upload), when all of these hold: its address names a
request whose token verifies; its From address is an active user holding an affected
thread of the release; the first non-empty line of its text says GO, NOGO, APPROVED or
REJECTED (case and punctuation aside: "Go.", "no-go", "Approved!"; the quoted text
below is never read); the request still stands (not superseded, not decided) and every
rule of ``record_decision`` holds. Anything else waits in the deployment coordinator's
queue with the reason; a forged or altered token is kept there as suspicious rather than
refused by the listener, so that someone sees the attempt.

Every mail is kept once: the same Message-ID with the same bytes, delivered again (an
MTA retrying after a lost answer), returns the mail already kept."""

import email
import hashlib
import logging
import re
from email import policy
from email.utils import getaddresses, parseaddr

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from .models import Decision, InboundMail
from .services import decision_requests
from .services.decision_requests import ForgedAddress

log = logging.getLogger(__name__)

#: the words a first line may say, letters only, lower case
VERDICT_WORDS = {
    "go": Decision.Verdict.GO,
    "nogo": Decision.Verdict.NOGO,
    "approved": Decision.Verdict.GO,
    "rejected": Decision.Verdict.NOGO,
}
#: the longest first line read as a verdict (a sentence is not one)
LONGEST_LINE = 40


def verdict_of(text: str) -> str | None:
    """GO or NOGO from the first non-empty line of a reply's text, or None when it says
    anything else (quoted text, a sentence, a word we do not read)."""
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.lstrip().startswith(">") or len(line.strip()) > LONGEST_LINE:
            return None
        return VERDICT_WORDS.get(re.sub(r"[^a-z]", "", line.lower()))
    return None


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    if part is None:
        return ""
    try:
        return part.get_content()
    except (LookupError, UnicodeError, AttributeError):
        return ""


def _header(message, name: str, limit: int) -> str:
    try:
        value = str(message.get(name, "") or "")
    except (ValueError, TypeError, IndexError):
        return ""
    return "".join(ch for ch in value if ch.isprintable())[:limit]


def receive(raw: bytes, *, envelope_from: str = "", rcpt_tos=()) -> InboundMail:
    """Keep the mail once and do what it says, or queue it. Returns its record. An
    error of the database propagates: the listener then answers 451 and the sending
    MTA tries again later."""
    digest = hashlib.sha256(raw).hexdigest()
    message = email.message_from_bytes(raw, policy=policy.default)
    message_id = _header(message, "Message-ID", 250).strip()
    kept = InboundMail.objects.filter(message_id=message_id, sha256=digest).first()
    if kept is not None:
        return kept
    try:
        with transaction.atomic():
            mail = _keep(raw, digest, message, message_id, envelope_from, rcpt_tos)
            _process(mail, message, raw, rcpt_tos)
    except IntegrityError:
        # delivered twice at once: the other delivery kept it
        kept = InboundMail.objects.filter(message_id=message_id, sha256=digest).first()
        if kept is None:
            raise
        return kept
    return mail


def _keep(raw, digest, message, message_id, envelope_from, rcpt_tos) -> InboundMail:
    mail = InboundMail(
        message_id=message_id,
        sha256=digest,
        size=len(raw),
        envelope_from=str(envelope_from or "")[:254],
        envelope_to=", ".join(rcpt_tos)[:1000],
        sender=parseaddr(_header(message, "From", 1000))[1][:254],
        subject=_header(message, "Subject", 250),
        status=InboundMail.Status.QUEUED,
    )
    mail.raw.save(f"reply-{digest[:16]}.eml", ContentFile(raw), save=False)
    mail.save()
    audit.record(
        actor=None,
        action="inbound_mail_received",
        obj=mail,
        after={"from": mail.sender, "message_id": message_id, "sha256": digest},
    )
    return mail


def _addresses(message, rcpt_tos) -> list[str]:
    headers = []
    for name in ("To", "Cc", "Delivered-To"):
        headers.extend(str(v) for v in message.get_all(name, []) or [])
    return list(rcpt_tos) + [address for _, address in getaddresses(headers) if address]


def _queue(mail: InboundMail, reason: str, status=InboundMail.Status.QUEUED) -> InboundMail:
    mail.status, mail.reason = status, reason
    mail.save(update_fields=["status", "reason", "request", "sender_user"])
    audit.record(
        actor=None,
        action="inbound_mail_queued",
        obj=mail,
        release=mail.request.release if mail.request else None,
        after={"status": status, "reason": reason},
    )
    return mail


def _process(mail: InboundMail, message, raw: bytes, rcpt_tos) -> InboundMail:
    request = None
    for address in _addresses(message, rcpt_tos):
        try:
            request = decision_requests.request_of_address(address)
        except ForgedAddress:
            return _queue(
                mail,
                "The reply address's token does not verify: forged or altered.",
                InboundMail.Status.SUSPICIOUS,
            )
        if request is not None:
            break
    if request is None:
        return _queue(mail, "Not addressed to a decision request.")
    mail.request = request
    users = list(get_user_model().objects.filter(email__iexact=mail.sender, is_active=True)[:2])
    if len(users) != 1 or not mail.sender:
        return _queue(mail, f"Unknown sender {mail.sender or '(none)'}.")
    user = mail.sender_user = users[0]
    threads = decision_requests.threads_of(user, request)
    if len(threads) != 1:
        why = "holds no affected thread" if not threads else "holds several affected threads"
        return _queue(mail, f"{user.get_username()} {why} of {request.release.identifier}.")
    verdict = verdict_of(text_of(message))
    if verdict is None:
        return _queue(mail, "Unclear: the first line says neither GO, NOGO, APPROVED nor REJECTED.")
    if verdict == Decision.Verdict.NOGO and request.kind in (
        Decision.Kind.PSAT,
        Decision.Kind.SAT,
    ):
        return _queue(
            mail,
            "A NOGO after a test needs its consequence (corrected delivery or cancel): "
            "record it by hand.",
        )
    try:
        with transaction.atomic():
            decision = decision_requests.decide(
                request,
                by=user,
                verdict=verdict,
                business_thread=threads[0],
                channel=Decision.Channel.MAIL_REPLY,
                evidence=ContentFile(raw, name="reply.eml"),
                evidence_note=_note(mail),
            )
    except (ValidationError, PermissionDenied, Conflict) as exc:
        return _queue(mail, f"Not recorded: {_words(exc)}")
    mail.status, mail.decision = InboundMail.Status.RECORDED, decision
    mail.save(update_fields=["status", "decision", "request", "sender_user"])
    audit.record(
        actor=user,
        action="inbound_mail_recorded",
        obj=mail,
        release=request.release,
        after={"decision": decision.pk, "verdict": verdict},
    )
    return mail


def _note(mail: InboundMail) -> str:
    return f"Reply by e-mail from {mail.sender}, {mail.message_id or 'no Message-ID'}."


def _words(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(getattr(exc, "message", "") or exc)


def _waiting(mail: InboundMail) -> InboundMail:
    mail = (
        InboundMail.objects.select_for_update(of=("self",))
        .select_related("request__release")
        .get(pk=mail.pk)
    )
    if not mail.waiting:
        raise Conflict(f"This mail was handled already ({mail.get_status_display()}).")
    return mail


@transaction.atomic
def record_by_hand(
    mail: InboundMail,
    *,
    by,
    business_thread,
    verdict,
    decided_by_name,
    consequence="",
) -> Decision:
    """The coordinator records the decision a queued reply carries, on the thread's
    behalf, with the mail as its evidence (every rule of ``record_decision`` holds:
    approvals and authorisations stay the thread's own)."""
    mail = _waiting(mail)
    if mail.request is None:
        raise Conflict(
            "This mail names no decision request: record the decision on the release's "
            "page, or dismiss it.",
            missing=["decision request"],
        )
    with mail.raw.open("rb") as stored:
        raw = stored.read()
    decision = decision_requests.record_on_behalf(
        mail.request,
        by=by,
        business_thread=business_thread,
        verdict=verdict,
        decided_by_name=decided_by_name,
        consequence=consequence,
        evidence=ContentFile(raw, name="reply.eml"),
        evidence_note=_note(mail),
    )
    mail.status, mail.decision = InboundMail.Status.HANDLED, decision
    mail.handled_by, mail.handled_at = by, timezone.now()
    mail.save(update_fields=["status", "decision", "handled_by", "handled_at"])
    audit.record(
        actor=by,
        action="inbound_mail_recorded_by_hand",
        obj=mail,
        release=mail.request.release,
        after={"decision": decision.pk, "verdict": verdict},
    )
    return decision


@transaction.atomic
def dismiss(mail: InboundMail, *, by, reason: str) -> InboundMail:
    """The coordinator puts a queued mail aside, saying why."""
    if not reason.strip():
        raise ValidationError({"reason": "Say why the mail is dismissed."})
    mail = _waiting(mail)
    mail.status, mail.dismiss_reason = InboundMail.Status.DISMISSED, reason.strip()
    mail.handled_by, mail.handled_at = by, timezone.now()
    mail.save(update_fields=["status", "dismiss_reason", "handled_by", "handled_at"])
    audit.record(
        actor=by,
        action="inbound_mail_dismissed",
        obj=mail,
        release=mail.request.release if mail.request else None,
        after={"reason": mail.dismiss_reason},
    )
    return mail
