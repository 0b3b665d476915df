"""Real Celery worker processes for the tests that kill one mid-task: each `celery
worker` (prefork, one child) in its own process group on the test Redis and the test
database, with its log in the test's folder; stopped when the test is done."""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.db import connection

from tests.waiting import PATIENCE

ROOT = Path(__file__).resolve().parents[1]


def url_of_the_test_database() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@contextmanager
def celery_workers(folder: Path, redis_url: str, **env):
    """Yield ``start()``, which starts one more worker with ``env`` added to the test's
    environment; every worker still running is stopped on the way out."""
    workers = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "releasemgmt.settings.local",
        "DATABASE_URL": url_of_the_test_database(),
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
        **env,
    }

    def start():
        log = open(folder / f"worker{len(workers)}.log", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "celery", "-A", "releasemgmt", "worker"]
        command += ["--concurrency=1", "--without-gossip", "--without-mingle", "-l", "warning"]
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        workers.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
                try:
                    worker.wait(timeout=PATIENCE)
                except subprocess.TimeoutExpired:
                    os.killpg(worker.pid, signal.SIGKILL)
