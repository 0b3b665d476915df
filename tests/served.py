"""The app served as people run it, in processes of its own: the embedded default's
settings on a database of its own (a SQLite file, or a fresh PostgreSQL database on the
test server), migrated, behind gunicorn or ``runserver`` on a free loopback port.

Every wait is a condition with a generous bound (tests.waiting)."""

import fcntl
import hashlib
import http.client
import json
import os
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import uuid
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2

from tests.smtp import free_port
from tests.waiting import PATIENCE, wait_until

ROOT = Path(__file__).resolve().parents[1]

#: what the suite's own environment sets that the served app must not inherit
NOT_INHERITED = {
    "DJANGO_SETTINGS_MODULE",
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "DEBUG",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
}


def embedded_env(database_url: str, scratch: Path, **extra: str) -> dict:
    """The environment of the embedded default (``settings.local``) on ``database_url``."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return env | {
        "DJANGO_SETTINGS_MODULE": "releasemgmt.settings.local",
        "DATABASE_URL": database_url,
        "EMAIL_URL": "memorymail://",
        "MEDIA_ROOT": str(scratch / "media"),
        "DEMO_LOGINS": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }


def manage(env: dict, *args: str) -> str:
    """Run ``manage.py`` with ``args``; its standard output."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=2 * PATIENCE,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def call(env: dict, function: str, *args) -> object:
    """Call ``module:function(*args)`` in a Django shell on ``env``; the JSON it prints."""
    module, name = function.split(":")
    code = f"import {module} as m; m.{name}(*{json.dumps(list(args))})"
    out = manage(env, "shell", "-v0", "-c", code)
    return json.loads(out.strip().splitlines()[-1])


def _admin(server, statement: str, *args) -> list:
    """``statement`` on the maintenance database of the PostgreSQL server at ``server``."""
    conn = psycopg2.connect(
        host=server.hostname,
        port=server.port,
        user=server.username,
        password=server.password,
        dbname="postgres",
    )
    conn.autocommit = True
    try:
        with conn.cursor() as cursor:
            cursor.execute(statement, args)
            return cursor.fetchall() if cursor.description else []
    finally:
        conn.close()


@lru_cache(maxsize=1)
def _source_digest() -> str:
    """What a migrated database depends on: the project's code and data files (the
    migrations, and the loaders and tables their data migrations read)."""
    digest = hashlib.sha256()
    skipped = {"node_modules", "tests", "bench", "docs", "media", "var", "staticfiles"}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = sorted(
            d for d in subfolders if d not in skipped and not d.startswith((".", "__"))
        )
        for name in sorted(files):
            if name.endswith((".py", ".csv", ".json", ".yaml", ".yml")):
                path = Path(folder, name)
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def _template(kind: str, server) -> str:
    """A database migrated once for every test of a run (and of later runs on the same
    code), under a lock shared by the suite's processes: a SQLite file's path, or the
    name of a PostgreSQL database to copy. Migrating takes the better part of a minute;
    copying, a second."""
    key = _source_digest()
    folder = Path(tempfile.gettempdir()) / "releasemgmt-served-templates"
    folder.mkdir(exist_ok=True)
    with open(folder / f"{kind}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if kind == "sqlite":
            path = folder / f"{key}.sqlite3"
            if not path.exists():
                for old in folder.glob("*.sqlite3"):
                    old.unlink()
                building = folder / f"{key}.building"
                building.unlink(missing_ok=True)
                manage(embedded_env(f"sqlite:///{building}", folder), "migrate", "--noinput", "-v0")
                building.rename(path)
            return str(path)
        name = f"served_template_{key}"
        if not _admin(server, "SELECT 1 FROM pg_database WHERE datname = %s", name):
            for (old,) in _admin(
                server, "SELECT datname FROM pg_database WHERE datname LIKE 'served_template_%%'"
            ):
                _admin(server, f"DROP DATABASE IF EXISTS {old} WITH (FORCE)")
            building = f"served_building_{uuid.uuid4().hex[:12]}"
            _admin(server, f"CREATE DATABASE {building}")
            try:
                url = urlunsplit(server._replace(path=f"/{building}"))
                manage(embedded_env(url, folder), "migrate", "--noinput", "-v0")
                _admin(server, f"ALTER DATABASE {building} RENAME TO {name}")
            except BaseException:
                _admin(server, f"DROP DATABASE IF EXISTS {building} WITH (FORCE)")
                raise
        return name


@contextmanager
def database(kind: str, scratch: Path, migrated: bool = False):
    """A database of its own: a SQLite file in ``scratch``, or a new database on the
    PostgreSQL server of DATABASE_URL (dropped afterwards); yields its URL. Empty, or
    ``migrated``: a copy of a database ``manage.py migrate`` made from nothing."""
    server = urlsplit(os.environ.get("DATABASE_URL", ""))
    if kind == "sqlite":
        path = scratch / "db.sqlite3"
        if migrated:
            shutil.copyfile(_template(kind, server), path)
        yield f"sqlite:///{path}"
        return
    name = f"served_{uuid.uuid4().hex[:12]}"
    if migrated:
        copy_migrated(server, name)
    else:
        _admin(server, f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(server._replace(path=f"/{name}"))
    finally:
        drop(server, name)


def copy_migrated(server, name: str) -> None:
    """Database ``name`` on the PostgreSQL server at ``server`` (a split URL), made anew
    as a copy of the migrated template."""
    template = _template("postgresql", server)
    drop(server, name)
    with open(
        Path(tempfile.gettempdir()) / "releasemgmt-served-templates" / "copy.lock", "w"
    ) as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # a template copied by one process at a time
        _admin(server, f"CREATE DATABASE {name} TEMPLATE {template}")


def drop(server, name: str) -> None:
    _admin(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def gunicorn(port: int) -> list[str]:
    """Two worker processes of sixteen threads: requests truly at once, across processes."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "releasemgmt.wsgi",
        "--chdir",
        str(ROOT),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "gthread",
        "--threads",
        "16",
        "--timeout",
        "300",
        "--graceful-timeout",
        "10",
    ]


def runserver(port: int) -> list[str]:
    """What ``make demo`` runs."""
    return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]


def answers(url: str) -> bool:
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=30)
    try:
        conn.request("GET", "/login/")
        conn.getresponse().read()
        return True
    except OSError:
        return False
    finally:
        conn.close()


@contextmanager
def serving(command, env: dict, scratch: Path):
    """Start ``command(port)`` on a free loopback port; yield its base URL once it answers."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = scratch / f"server-{port}.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen(
            command(port),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def up():
            if server.poll() is not None:
                raise AssertionError("the server stopped:\n" + log_path.read_text())
            return answers(url)

        wait_until(up, f"the server on {url} to answer", poll=0.25)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=PATIENCE)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait(timeout=PATIENCE)


def get(url: str, path: str, headers=None) -> tuple[int, dict, bytes]:
    where = urlsplit(url)
    conn = http.client.HTTPConnection(where.hostname, where.port, timeout=PATIENCE)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def posts_at_once(url: str, token: str, requests: list[tuple[str, dict]]):
    """Send every ``(path, body)`` of ``requests`` as a JSON POST from a thread of its own,
    each connected first and all released together; their (status, body) in any order."""
    where = urlsplit(url)
    barrier = threading.Barrier(len(requests))
    answers_ = []
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}

    def post(path, body):
        conn = http.client.HTTPConnection(where.hostname, where.port, timeout=PATIENCE)
        try:
            conn.connect()
            barrier.wait(timeout=PATIENCE)
            conn.request("POST", path, json.dumps(body), headers)
            response = conn.getresponse()
            raw = response.read()
            try:
                answers_.append((response.status, json.loads(raw or b"{}")))
            except ValueError:
                answers_.append((response.status, {"raw": raw.decode(errors="replace")}))
        finally:
            conn.close()

    threads = [threading.Thread(target=post, args=r, daemon=True) for r in requests]
    for thread in threads:
        thread.start()
    wait_until(lambda: not any(t.is_alive() for t in threads), "every answer", poll=0.05)
    assert len(answers_) == len(requests), "some requests never came back"
    return answers_


#: the load balancer's configuration, as production renders it (docker-compose.yml)
NGINX_TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
#: Debian's nginx (in /usr/sbin, which a user's PATH may lack)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@contextmanager
def balancing(urls: list[str], scratch: Path):
    """Debian's nginx on a free loopback port in front of ``urls`` (round robin), with the
    production template; yields its base URL and the path of its access log, which names
    the node that answered each request."""
    port = free_port()
    prefix = scratch / f"nginx-{port}"
    (prefix / "logs").mkdir(parents=True)
    upstreams = " ".join(f"server {urlsplit(u).netloc};" for u in urls)
    site = string.Template(NGINX_TEMPLATE.read_text()).safe_substitute(
        NGINX_UPSTREAMS=upstreams, NGINX_PORT=f"127.0.0.1:{port}"
    )
    access = prefix / "logs" / "access.log"
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 512; }}
http {{
    log_format node '$request_method $request_uri $status $upstream_addr';
    access_log {access} node;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{site}
}}
"""
    )
    nginx = subprocess.Popen(
        [NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:

        def up():
            if nginx.poll() is not None:
                raise AssertionError("nginx stopped: " + nginx.stderr.read().decode())
            return answers(url)

        wait_until(up, f"nginx on {url} to answer", poll=0.25)
        yield url, access
    finally:
        if nginx.poll() is None:
            os.killpg(nginx.pid, signal.SIGTERM)
            nginx.wait(timeout=PATIENCE)
