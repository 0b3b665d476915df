"""``manage.py receive_mail``: serve the inbound mail listener
(``releasemgmt.notifications.inbound``) until stopped."""

import signal
import threading

from django.core.management.base import BaseCommand

from releasemgmt.notifications import inbound


class Command(BaseCommand):
    help = "Receive replies to the tool's mails over SMTP (or LMTP) on loopback."

    def add_arguments(self, parser):
        parser.add_argument("--host", help="Address to listen on (INBOUND_MAIL_HOST).")
        parser.add_argument("--port", type=int, help="Port to listen on (INBOUND_MAIL_PORT).")
        parser.add_argument("--lmtp", action="store_true", default=None, help="Speak LMTP.")

    def handle(self, *args, host=None, port=None, lmtp=None, **options):
        server = inbound.listener(host=host, port=port, lmtp=lmtp)
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        server.start()
        self.stdout.write(f"Receiving mail on {server.hostname}:{server.port}")
        try:
            stop.wait()
        finally:
            server.stop()
