"""A real SMTP server in the test process (aiosmtpd) that keeps what it accepts."""

import asyncio
import socket
import threading
from email import message_from_bytes


class Sink:
    """Keeps every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        message = message_from_bytes(envelope.content)
        self.messages.append((tuple(envelope.rcpt_tos), message["Message-ID"], message))
        return "250 OK"


class RefusingSink(Sink):
    """Refuses every recipient whose address starts with ``gone``, as for an unknown user."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("gone"):
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class HoldingSink(Sink):
    """Like a slow server, holds the message to ``hold_for`` before answering, until
    ``release`` is set. As RFC 5321 has it, a server takes a message over only with its
    250 reply: one whose client went away while it was held is dropped, not kept."""

    def __init__(self, hold_for: str):
        super().__init__()
        self.hold_for = hold_for
        self.holding = threading.Event()
        self.release = threading.Event()
        self.dropped = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if envelope.rcpt_tos == [self.hold_for] and not self.holding.is_set():
            self.holding.set()
            try:
                while not self.release.is_set():
                    await asyncio.sleep(0.01)
            except asyncio.CancelledError:  # aiosmtpd cancels us when the client goes
                self.dropped.append(tuple(envelope.rcpt_tos))
                raise
            if server.transport is None or server.transport.is_closing():
                self.dropped.append(tuple(envelope.rcpt_tos))
                return "451 Client went away before the reply"
        return await super().handle_DATA(server, session, envelope)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
