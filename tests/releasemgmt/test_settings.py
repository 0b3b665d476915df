"""The production profile is secure (check --deploy clean) and refuses to start without secrets;
docker-compose.yml describes the whole stack."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "releasemgmt.settings.production",
    "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
    "DATABASE_URL": "postgres://releasemgmt@127.0.0.1:5432/releasemgmt",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp://mail.example.org:25",
    "ALLOWED_HOSTS": "releases.example.org",
}


def manage(*args, env):
    # The browser tests allow async-unsafe ORM calls in this process; production must not.
    drop = {*PRODUCTION_ENV, "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_on_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_docker_compose_has_the_whole_stack():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {
        "web",
        "web2",
        "proxy",
        "migrate",
        "worker",
        "beat",
        "postgres",
        "redis",
        "mail",
    } <= set(services)
    for node in ("web", "web2"):  # two nodes behind the load balancer, migrated once before
        assert "gunicorn" in " ".join(services[node]["command"])
        assert "migrate" not in " ".join(services[node]["command"])
        assert services[node]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
    assert services["proxy"]["environment"]["NGINX_UPSTREAMS"] == (
        "server web:8000; server web2:8000;"
    )
    assert "worker" in services["worker"]["command"]
    assert "beat" in services["beat"]["command"]
    assert services["mail-in"]["command"][-1] == "receive_mail"  # replies to decision mails
    for name in ("web", "web2", "migrate", "worker", "beat"):
        env = services[name]["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "releasemgmt.settings.production"
        assert env["DATABASE_URL"].startswith("postgres://")
        assert env["REDIS_URL"].startswith("redis://")
        assert env["S3_ENDPOINT_URL"] == "http://minio:9000"  # the DSL's files in MinIO


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is not installed")
def test_docker_compose_config_is_valid():
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "SECRET_KEY": "compose-check", "MINIO_ROOT_PASSWORD": "compose-check"},
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_postgresql_runs_each_query_without_parallel_workers():
    """A worker started for a query of a few milliseconds cost more than it saved, and
    under load it takes a core another request needs (issue 17)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone() == ("0",)


def test_options_given_in_the_database_url_take_precedence():
    import environ

    from releasemgmt.settings.base import tuned

    url = "postgres://app@db.example.org/releasemgmt"
    given = tuned(
        environ.Env.db_url_config(f"{url}?options=-c%20max_parallel_workers_per_gather%3D2")
    )
    assert given["OPTIONS"] == {"options": "-c max_parallel_workers_per_gather=2"}
    assert tuned(environ.Env.db_url_config(url))["OPTIONS"] == {
        "options": "-c max_parallel_workers_per_gather=0"
    }
    sqlite = tuned(environ.Env.db_url_config("sqlite:///db.sqlite3?timeout=60"))
    assert sqlite["OPTIONS"]["timeout"] == 60
    assert sqlite["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "options" not in sqlite["OPTIONS"]
