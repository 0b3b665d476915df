"""Requests per second under concurrent load: the app under gunicorn (sync workers) on
loopback, wrk as the load generator, each page next to the trivial view of
``bench_urls`` served by the same server in the same run."""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
from django.utils.crypto import get_random_string

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORT = HERE / "wrk_report.lua"


@dataclass
class Load:
    rps: float
    requests: int
    p50: float  # ms, as wrk saw it under load (queueing included)
    p99: float
    errors: int  # socket errors and answers of 400 and above
    reference: float = 0.0  # req/s of the trivial view measured right after this page


def session_cookie(user) -> str:
    """A logged-in session in the database, as the login view leaves it, and the CSRF
    cookie a browser holds from its first page: the Cookie header that makes a load
    generator that user; none for an anonymous reader (a feed)."""
    if user is None:
        return ""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "raci.backends.UserWithPermissionsBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    return (
        f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Endpoint:
    """Where the app answers (a gunicorn, or nginx in front of several): one GET's
    status, and wrk's load on a URL."""

    def __init__(self, base: str):
        self.base = base

    def status(self, path: str, cookie: str) -> int:
        """The status of one GET (redirects not followed: a 302 to the login page is a
        failed login, not a page)."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        opener = urllib.request.build_opener(NoRedirect)
        request = urllib.request.Request(self.base + path, headers={"Cookie": cookie})
        try:
            with opener.open(request, timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    def load(
        self, path: str, cookie: str, seconds: float, connections: int, warm_up: bool = True
    ) -> Load:
        """``seconds`` of wrk on one URL, after a one-second warm-up (every worker has
        then loaded its templates and opened its database connection)."""
        url = self.base + path
        if warm_up:
            _wrk(url, cookie, 1, connections)
        report = _wrk(url, cookie, seconds, connections)
        requests = report["requests"]
        errors = sum(report[k] for k in ("connect", "read", "write", "status", "timeout"))
        return Load(
            rps=requests / (report["duration_us"] / 1e6),
            requests=requests,
            p50=report["p50_us"] / 1000,
            p99=report["p99_us"] / 1000,
            errors=errors,
        )


class Server(Endpoint):
    """gunicorn serving the app with ``bench_settings``; a context manager."""

    def __init__(self, workers: int, port: int | None = None):
        self.workers = workers
        self.port = port or int(os.environ.get("BENCH_HTTP_PORT") or free_port())
        super().__init__(f"http://127.0.0.1:{self.port}")
        self.log = Path(tempfile.mkstemp(prefix="bench-gunicorn-", suffix=".log")[1])

    def __enter__(self):
        env = dict(
            os.environ,
            DJANGO_SETTINGS_MODULE="bench_settings",
            PYTHONPATH=os.pathsep.join([str(HERE), str(ROOT)]),
        )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--backlog",
            "256",
            "--timeout",
            "60",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
            "releasemgmt.wsgi:application",
        ]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(RuntimeError, None, None)
            raise
        return self

    def _wait_ready(self, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while True:
            try:
                urllib.request.urlopen(self.base + "/login/", timeout=20).close()
                return
            except OSError:  # refused while binding, or a worker still starting
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {self.log}") from None
                time.sleep(0.2)

    def __exit__(self, *exc):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # graceful: workers finish and exit
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if exc[0] is None and self.log.stat().st_size == 0:
            self.log.unlink()


@contextmanager
def balanced(nodes: int, workers: int):
    """``nodes`` gunicorn servers of ``workers`` sync workers each on loopback behind
    Debian's nginx with the production template (deploy/nginx.conf.template, rendered as
    tests/faults/test_two_nodes.py renders it); yields nginx's ``Endpoint``. Sessions live
    in the database, so a cookie works on every node."""
    from tests import served

    scratch = Path(tempfile.mkdtemp(prefix="bench-nodes-"))
    with ExitStack() as stack:
        servers = [stack.enter_context(Server(workers, free_port())) for _ in range(nodes)]
        url, _ = stack.enter_context(served.balancing([s.base for s in servers], scratch))
        yield Endpoint(url)
    shutil.rmtree(scratch, ignore_errors=True)


def _wrk(url: str, cookie: str, seconds: float, connections: int) -> dict:
    threads = min(2, connections)
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(seconds))}s",
        "--timeout=10s",
        f"--script={REPORT}",
        "--header",
        f"Cookie: {cookie}",
        url,
    ]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def available() -> bool:
    return shutil.which("wrk") is not None
