"""Shared fixtures: people holding parties, applications and releases made through
the services (never through the ORM behind their back)."""

import datetime
import itertools
import os
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from celery.contrib.testing.worker import start_worker
from django import conf
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction
from django.test.utils import setup_databases, teardown_databases
from pytest_django.plugin import blocking_manager_key
from rest_framework.test import APIClient

from changes.loader import load_change_models
from changes.models import RfC
from dsl.models import Subscriber
from raci.loader import ensure_process_loaded
from raci.models import Organisation, Party
from readiness.defaults import ensure_default_templates
from releasemgmt.celery import app
from releases import services
from releases.models import Application
from tests import served
from tests.lifecycle import Cast, walk_to
from tests.smtp import Sink, free_port
from tests.waiting import PATIENCE

_seq = itertools.count(1)


def _commits(item) -> bool:
    """Whether the test commits (and so empties every table when it is done)."""
    marker = item.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    return transactional or bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _load_process():
    ensure_process_loaded()
    load_change_models()
    ensure_default_templates()


@pytest.fixture(autouse=True)
def _process_loaded(request):
    """Transactional tests flush the tables the data migration filled; reload them."""
    if _commits(request.node):
        request.getfixturevalue("transactional_db")
        _load_process()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Once a test that commits has emptied the tables, fill the process's rows again for
    the tests after it in this process. pytest-django runs such tests after the others,
    but a process of a parallel run may be handed one of the others afterwards."""
    outcome = yield
    # the last test of a process: its teardown has dropped the test database already
    if _commits(item) and nextitem is not None:
        with item.config.stash[blocking_manager_key].unblock():
            _load_process()
    return outcome


@pytest.fixture(scope="session")
def django_db_setup(django_test_environment, django_db_blocker, django_db_modify_db_settings):
    """Each process's test database. On PostgreSQL, a copy of the database migrated once
    per code for the whole run (tests.served), instead of a migration of its own, which
    costs each process the better part of a minute; elsewhere, Django's own."""
    if connection.vendor != "postgresql":
        with django_db_blocker.unblock():
            created = setup_databases(verbosity=0, interactive=False)
        yield
        with django_db_blocker.unblock():
            teardown_databases(created, verbosity=0)
        return
    server = urlsplit(os.environ["DATABASE_URL"])
    original, name = connection.settings_dict["NAME"], connection.creation._get_test_db_name()
    with django_db_blocker.unblock():
        served.copy_migrated(server, name)
        connection.close()
        conf.settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = name
        # what a migration in this process would have ended with: the receivers of
        # post_migrate, which read the content types and permission ids each process keeps
        emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    yield
    with django_db_blocker.unblock():
        connection.close()
        conf.settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = original
        served.drop(server, name)


@pytest.fixture(scope="module")
def module_db(django_db_setup, django_db_blocker):
    """One transaction around a module: its shared data is rolled back afterwards (each
    test still runs in a savepoint of its own, so what a test changes is undone)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)


def party(name_or_slug: str) -> Party:
    return Party.objects.get(
        **(
            {"slug": name_or_slug}
            if "/" not in name_or_slug and " " not in name_or_slug
            else {"name": name_or_slug}
        )
    )


@pytest.fixture
def make_user(db):
    def make(username=None, *parties, groups=(), **extra):
        username = username or f"user{next(_seq)}"
        user = get_user_model().objects.create_user(
            username, f"{username}@example.org", "pw", **extra
        )
        user.groups.add(*[party(p).group for p in parties], *groups)
        return user

    return make


@pytest.fixture
def release_manager(make_user):
    return make_user("rita", "ITSM Release Manager")


@pytest.fixture
def coordinator(make_user):
    return make_user("dave", "ITSM Deployment Coordinator")


@pytest.fixture
def organisation(db):
    group = Group.objects.create(name="3rd party: Acme Software")
    return Organisation.objects.create(
        name="Acme Software", party=party("3rd Party Developers"), group=group
    )


@pytest.fixture
def application(db):
    return Application.objects.create(code="ecs", name="Export Control System")


@pytest.fixture
def make_release(release_manager, coordinator, organisation, application):
    """A release formalised (RM.1.1) and with its roles assigned (RM.1.2). The first of a
    test is delivered on 1 March 2027 and installed a fortnight later; each next one a
    week after the one before, so that their installations do not collide unless the
    test says so with its dates."""
    weeks = itertools.count()

    def make(threads=("a3-cust",), assign=True, by=None, **fields):
        by = by or release_manager
        threads = [party(t) for t in threads]
        today = datetime.date(2027, 3, 1) + datetime.timedelta(weeks=next(weeks))
        values = {
            "application": application,
            "version": f"1.{next(_seq)}.0",
            "name": "Functional update",
            "release_type": "minor",
            "planned_delivery_date": today,
            "planned_installation_date": today + datetime.timedelta(days=14),
            "business_threads": threads,
        } | fields
        release = services.formalise_release(by=by, **values)
        if assign:
            services.assign_roles(
                release,
                by=by,
                deployment_coordinator=coordinator,
                business_threads=threads,
                developers=organisation,
            )
        return release

    return make


@pytest.fixture
def release_at(cast, make_release, approved_rfc):
    """A release of thread A3/Cust with an approved RfC included (RM.1.1), walked through
    the API to the start of ``stage`` (tests.lifecycle.walk_to); ``rfc`` for another
    than RFC-100, which only one release may include."""

    def walk(stage="planning", rfc=None, **fields):
        release = make_release(threads=["a3-cust"], **fields)
        include = {"rfc": (rfc or approved_rfc).reference}
        cast.ok(cast.act(cast.rm, release, "include-rfc", include, multipart=False), 201)
        walk_to(cast, release, stage)
        return release

    return walk


@pytest.fixture
def api():
    """An API client logged in as the given user (session auth, CSRF enforced)."""

    def client_for(user=None):
        client = APIClient(enforce_csrf_checks=False)
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def redis_broker(transactional_db):
    """Tasks go to the test Redis instead of running eagerly; yields its URL. The broker
    starts empty: no task an earlier test left behind (queued, or taken by a worker that
    was killed) runs in this one or is counted as still to run."""
    url = conf.settings.REDIS_URL  # a database of its own in each process of a parallel run
    saved = {k: app.conf[k] for k in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=url, result_backend=None)
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    try:
        yield url
    finally:
        app.conf.update(saved)


@pytest.fixture
def redis_worker(redis_broker):
    """An in-process worker on the real broker."""
    with start_worker(app, perform_ping_check=False, shutdown_timeout=PATIENCE):
        yield app


@pytest.fixture
def cast(make_user, release_manager, coordinator, api):
    return Cast(
        rm=release_manager,
        dc=coordinator,
        cust=make_user("cust", "DG TAXUD A3/Cust", first_name="Carla", last_name="Cust"),
        desk=make_user("desk", "ITSM Service Desk"),
        campaign=make_user("camille", "ITSM Campaign Coordinator"),
        api=api,
    )


@pytest.fixture
def approved_rfc(release_manager):
    return RfC.objects.create(
        reference="RFC-100",
        title="New export rules",
        status=RfC.Status.AUTHORISED,
        requester=release_manager,
    )


@pytest.fixture
def smtp_server(settings):
    """Serve a sink (tests.smtp) on a free port and send the app's e-mail to it."""
    controllers = []

    def serve(sink):
        controller = Controller(
            sink, hostname="127.0.0.1", port=free_port(), ready_timeout=PATIENCE
        )
        controller.start()
        controllers.append(controller)
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        return sink

    yield serve
    for controller in controllers:
        controller.stop()


@pytest.fixture
def smtp_sink(smtp_server):
    return smtp_server(Sink())


@pytest.fixture
def release_in_installation(release_at, application):
    """A release in RM.6 whose application has 450 subscribers (user0 to user449)."""
    release = release_at("installation")
    Subscriber.objects.bulk_create(
        Subscriber(application=application, email=f"user{i}@example.org") for i in range(450)
    )
    return release
