"""A real SMTP server in the test process (aiosmtpd) that keeps what it accepts."""

import socket
from email import message_from_bytes


class Sink:
    """Keeps every message the SMTP server accepts."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        message = message_from_bytes(envelope.content)
        self.messages.append((tuple(envelope.rcpt_tos), message["Message-ID"], message))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
