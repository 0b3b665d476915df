"""Fifty identical requests at once, over HTTP against a threaded server with a database
connection per request: exactly one changes the release, the 49 others get 409 with the
reason, and nothing is written twice."""

import http.client
import json
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler
from django.db import connection
from knox.models import AuthToken

from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from releases.models import Release
from tests.lifecycle import PLAN
from tests.waiting import PATIENCE, wait_until

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL"
)

AT_ONCE = 50


class QuietHandler(WSGIRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def server(transactional_db):
    """The app on a threaded WSGI server whose listen queue takes all fifty connections
    (the test live server's queue of ten resets some under load)."""

    class RoomyServer(ThreadedWSGIServer):
        request_queue_size = 2 * AT_ONCE

    httpd = RoomyServer(("127.0.0.1", 0), QuietHandler)
    httpd.set_app(WSGIHandler())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def fifty_posts(url, user, path, body):
    """POST ``body`` to ``path`` from AT_ONCE threads released together."""
    token = AuthToken.objects.create(user)[1]
    where = urlsplit(url)
    barrier = threading.Barrier(AT_ONCE)
    answers = []

    def post():
        client = http.client.HTTPConnection(where.hostname, where.port, timeout=PATIENCE)
        headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
        client.connect()  # connected first, then all fifty requests at once
        barrier.wait(timeout=PATIENCE)
        client.request("POST", path, json.dumps(body), headers)
        response = client.getresponse()
        answers.append((response.status, json.loads(response.read() or b"{}")))
        client.close()

    threads = [threading.Thread(target=post) for _ in range(AT_ONCE)]
    for thread in threads:
        thread.start()
    wait_until(lambda: not any(t.is_alive() for t in threads), "every answer")
    assert len(answers) == AT_ONCE, "some requests never came back"
    return answers


def test_fifty_cancellations_at_once_one_wins(server, make_release, release_manager):
    release = make_release()
    path = f"/api/v1/releases/{release.identifier}/transitions/cancel/"
    answers = fifty_posts(server, release_manager, path, {"reason": "Merged"})

    assert Counter(status for status, _ in answers) == {200: 1, 409: AT_ONCE - 1}
    for status, body in answers:
        if status == 409:
            assert "cancelled" in body["detail"].lower(), body
    assert Release.objects.get(pk=release.pk).stage == "cancelled"
    assert AuditEntry.objects.filter(release=release, action="stage_cancel").count() == 1


def test_fifty_publications_at_once_publish_once(server, cast, make_release):
    release = make_release(threads=["a3-cust"])
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    path = f"/api/v1/releases/{release.identifier}/activities/RM.1.4/"
    answers = fifty_posts(server, cast.rm, path, {})

    assert Counter(status for status, _ in answers) == {200: 1, 409: AT_ONCE - 1}
    assert Release.objects.get(pk=release.pk).stage == "receiving"
    assert Communication.objects.filter(release=release, interface="Release Plan").count() == 1
    assert AuditEntry.objects.filter(release=release, action="stage_receive").count() == 1
