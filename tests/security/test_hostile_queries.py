"""Hostile query strings and path segments at every URL of the project (walked from the
resolver, so a new page or list is covered as it comes): each class of value that broke
before, given to every query parameter a page or list of the project reads: all at once,
all but the page, and a NUL and the extreme dates in each alone. No answer may be a server error; a
value a view reads is refused with a 4xx (the tests of each list check which field it
names).

A sweep of every GET found three 500s the per-list tests had missed: a NUL in the
people's ``party`` (the database refused it), a change schedule from 9999-12-30 (its
default end, 90 days on, is no date) and the flow of the KPIs over 9999 (its months were
counted up to the day after). A sweep of every path then found a NUL where an
identifier goes answering 500 from thirty views: every argument of every pattern gets
the control characters, and the answer is the 404 of no such page."""

import re
from urllib.parse import urlencode

import pytest
from django.db import transaction
from django.test import Client

from .conftest import People
from .routes import QUERIES, category, routes, sample_path

pytestmark = pytest.mark.django_db

#: every name a page or list of the project reads from its query string
NAMES = [
    "page",
    "q",
    "stage",
    "status",
    "kind",
    "layer",
    "per_day",
    "start",
    "end",
    "date",
    "view",
    "period",
    "from",
    "to",
    "installation_from",
    "installation_to",
    "kpi",
    "kpi_from",
    "kpi_to",
    "application",
    "thread",
    "business_thread",
    "release_type",
    "release",
    "party",
    "unread",
    "needs_action",
    "table",
]
#: the classes of value that broke before, each given to every name at once
VALUES = {
    "NUL": "\x00",
    "control characters": "ab\x01\ncd",
    "a lone surrogate": "%ED%A0%80",  # as a browser's UTF-8 would carry it
    "beyond 64 bits": "99999999999999999999",
    "negative": "-1",
    "the last day": "9999-12-31",
    "the first day": "0001-01-01",
    "huge": "9" * 5000,
}
#: the dates and periods one at a time, where a valid neighbour would not mask them
ALONE = [
    ("start", "9999-12-30"),
    ("end", "9999-12-30"),
    ("date", "9999-12-30"),
    ("period", "9999"),
    ("period", "9999-Q4"),
    ("installation_from", "9999-12-31"),
]

ROUTES = [r for r in routes() if category(r) not in (None, "feed")]


@pytest.fixture(scope="module")
def site(module_db):
    people = People.create()
    return people, people.release()


def queries(route) -> list[str]:
    base = QUERIES.get(route.name, {})
    found = []
    for value in VALUES.values():
        # all at once, and all but the page: a pager refuses a page first, and the
        # other values would not be read
        for names in (NAMES, NAMES[1:]):
            asked = base | dict.fromkeys(names, value)
            # a surrogate is sent as its UTF-8 bytes, the way a hostile client writes it
            found.append(urlencode(asked).replace("%25ED%25A0%2580", "%ED%A0%80"))
    # a NUL in each name alone: a form refusing a neighbour would not read the rest
    found += [urlencode(base | {name: "\x00"}) for name in NAMES]
    found += [urlencode(base | {name: value}) for name, value in ALONE]
    return found


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_no_hostile_query_string_is_a_server_error(route, site):
    people, release = site
    path = sample_path(route, identifier=release.identifier, pk=1, reference="RFC-1")
    client = Client(raise_request_exception=False)
    client.force_login(people.cast.rm)
    failed = []
    for query in queries(route):
        # a transaction of its own, as each request has in production: an API error
        # marks the transaction it runs in for rollback, and the token endpoint runs
        # outside the request's (urls.py), in the test's
        with transaction.atomic():
            response = client.get(f"{path}?{query}")
        if response.status_code >= 500:
            failed.append((response.status_code, query[:120]))
    assert not failed, (path, failed)


#: what a hostile client puts in a path's segment where an identifier, a reference or a
#: name goes (as a browser's address bar would carry it)
SEGMENTS = ["%00", "ab%00cd", "ab%01cd", "%0A", "%7F"]
#: a named argument (``<str:identifier>``, a router's ``(?P<reference>...)``), not a format
ARGUMENT = re.compile(r"(?<!P)<(?:str:|slug:|path:)?\w+>|\(\?P<(?!format)")
NAMED = [r for r in routes() if ARGUMENT.search(r.route)]


def hostile_path(route, segment: str) -> str:
    """The route's path with ``segment`` for each argument (a number for a number)."""
    path = re.sub(r"\\\.\(\?P<format>[^)]*\)/\?\$", ".json", route.route)
    path = re.sub(r"\(\?P<\w+>[^)]*\)", segment, path)
    path = re.sub(r"<(?:(\w+):)?\w+>", lambda m: "1" if m.group(1) == "int" else segment, path)
    return "/" + path.removesuffix("$").removeprefix("^")


@pytest.mark.parametrize("route", NAMED, ids=lambda r: r.route)
def test_a_path_no_identifier_can_hold_is_no_page(route, site):
    """A NUL or a control character where a release's identifier, an RfC's reference or
    an organisation's name goes: 404 on every method, before any view reads it (a NUL
    reached PostgreSQL, which refuses it, from thirty views: 500)."""
    people, _ = site
    client = Client(raise_request_exception=False)
    client.force_login(people.cast.rm)
    for segment in SEGMENTS:
        path = hostile_path(route, segment)
        for method in ("get", "post"):
            with transaction.atomic():
                response = getattr(client, method)(path)
            assert response.status_code == 404, (method, path, response.status_code)
