"""Receiving mail: an SMTP (or LMTP) listener on loopback, behind the site's MTA, that
hands each message to the handler the settings name (``INBOUND_MAIL_HANDLER``, a
function ``(raw, *, envelope_from, rcpt_tos)``; the outbox knows nothing of what a reply
means). The handler runs in a worker thread with its own database connection; the
listener answers 250 only once it returned (the mail is kept), and 451 when it failed,
so that the MTA keeps the mail and tries again: nothing is lost while the database or
the listener is down. Recipients outside ``MAIL_REPLY_DOMAIN`` are refused (550): this
is no relay."""

import asyncio
import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from django.conf import settings
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class Handler:
    """aiosmtpd's handler: checks each recipient's domain, gives each message to
    ``receive``."""

    def __init__(self, receive=None):
        self.receive = receive or import_string(settings.INBOUND_MAIL_HANDLER)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        domain = address.rpartition("@")[2].lower()
        if not settings.MAIL_REPLY_DOMAIN or domain != settings.MAIL_REPLY_DOMAIN.lower():
            return "550 5.1.1 No such recipient here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(None, self._receive, raw, envelope)
        except Exception:
            log.exception("An inbound mail could not be kept; the sender will retry.")
            return "451 4.3.0 Could not keep the message now, try again later"
        return "250 2.0.0 Message kept"

    def _receive(self, raw, envelope):
        close_old_connections()
        try:
            self.receive(raw, envelope_from=envelope.mail_from or "", rcpt_tos=envelope.rcpt_tos)
        finally:
            close_old_connections()


class LMTPController(Controller):
    """The same listener speaking LMTP (for an MTA that delivers locally that way)."""

    def factory(self):
        return LMTP(self.handler, **self.SMTP_kwargs)


def listener(*, host=None, port=None, lmtp=None, receive=None) -> Controller:
    """A listener (not started) on ``host:port`` from the settings unless given."""
    lmtp = settings.INBOUND_MAIL_LMTP if lmtp is None else lmtp
    kind = LMTPController if lmtp else Controller
    return kind(
        Handler(receive),
        hostname=host or settings.INBOUND_MAIL_HOST,
        port=settings.INBOUND_MAIL_PORT if port is None else port,
        data_size_limit=settings.MAX_UPLOAD_SIZE,
    )
