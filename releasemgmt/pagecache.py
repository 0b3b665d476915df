"""Pages kept until the data changes (issue 17).

A release manager's start page costs 75 ms of database and Python at 10,000 releases and
is asked again and again (the browser's back button, a tab left open, the navigation's
counts polled every minute) while nothing has changed. The pages named in
``settings.KEPT_PAGES`` are kept, per user and per session, under a key that holds
PostgreSQL's write-ahead log insert position and the transactions running: every write
committed (or even begun) anywhere in the database moves the one, every commit that
becomes visible changes the other, so a kept page is never served once anything it shows
could have changed, whoever wrote and through whichever web node. No event needs to
remember to forget a page, which is what makes this safe to add to pages that read from
a dozen apps.

The key also holds what else a page depends on: the user, the session's data and its
CSRF secret (a page's forms carry a token made from it), the full path, the headers that
choose a fragment or a format (htmx's, ``Accept``), the host, the language, and the
current minute (due dates and "late" marks move with the clock). Only complete 200
answers that set no cookie and weigh at most ``KEPT_MAX_BYTES`` are kept, and a request
with messages waiting to be shown is neither served from nor kept in the cache. The
store is the ``pages`` cache, and ``large_pages`` for the few answers over
``LARGE_BYTES``, in the process's memory: a restart (and so a deployment) starts empty.

On SQLite (the demo and tests' default) there is no such position: nothing is kept.

Since a write anywhere makes every kept page again, a busy organisation's pages are made
more often than kept. Parts of a page named in ``settings.KEPT_PARTS`` are kept apart
(``kept_part``) under a version of their own, which moves only with the rows that part
shows (the release page's: ``releases.selectors.release_version``)."""

import hashlib
import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse
from django.utils import timezone, translation

#: request headers a kept page depends on besides its path
VARYING_HEADERS = (
    "HTTP_ACCEPT",
    "HTTP_HX_REQUEST",
    "HTTP_HX_BOOSTED",
    "HTTP_HX_TARGET",
    "HTTP_HX_TRIGGER",
    "HTTP_HX_TRIGGER_NAME",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
)
#: seconds an entry lives at most: its key holds the minute, so it is not asked later
KEPT_SECONDS = 60
#: the largest answer kept: with the caches' bounded number of entries, a worker's memory
#: stays bounded whatever page sizes and filters clients ask for
KEPT_MAX_BYTES = 256 * 1024
#: answers larger than this are kept apart, in the ``large_pages`` cache of fewer entries:
#: a calendar month's layer weighs 150-250 KB, and a thousand of them would be 250 MB a
#: worker
LARGE_BYTES = 64 * 1024


def data_version() -> str | None:
    """Where PostgreSQL will write its next log record (it moves with every write and
    never goes back), with the transactions still running: a commit is written to the
    log before it is flushed and becomes visible, and a page made in between, from the
    rows before it, must not be kept under the position after it. None where the
    database has neither (SQLite)."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text, pg_current_snapshot()::text")
        return " ".join(cursor.fetchone())


def page_key(request, version: str) -> str:
    """The key under which the answer to this request is kept, given the database's
    version."""
    parts = [
        version,
        request.user.pk,
        request.session.session_key,
        request.is_secure(),
        request.get_host(),  # as the absolute links of the API are made
        request.get_full_path(),
        request.META.get("CSRF_COOKIE"),
        translation.get_language(),
        timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        json.dumps(dict(request.session.items()), sort_keys=True, default=str),
        *(request.META.get(header) for header in VARYING_HEADERS),
    ]
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20)
    return "page:" + digest.hexdigest()


def kept_part(
    request,
    name: str,
    version: Callable[[], str | None],
    make: Callable[[], object],
    *,
    has_forms: bool = True,
):
    """The part ``name`` of a page (or an API's data) as ``make`` makes it, kept for this
    user until ``version()`` answers otherwise (and for a minute at most: due dates and
    "late" marks move with the clock). Made each time where parts are not kept
    (``KEPT_PARTS``), where there is no version (SQLite), or, for a part that
    ``has_forms``, for a browser without its CSRF cookie yet (the forms carry a token of
    the secret its first answer sets)."""
    csrf_secret = request.META.get("CSRF_COOKIE") if has_forms else None
    if name not in settings.KEPT_PARTS or (has_forms and not csrf_secret):
        return make()
    # read before the part is made: a part made from rows newer than its version is made
    # again when next asked, and none is ever kept under a version newer than its rows
    current = version()
    if current is None:
        return make()
    parts = [
        name,
        current,
        request.user.pk,
        csrf_secret,
        translation.get_language(),
        timezone.get_current_timezone_name(),
        timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    ]
    digest = hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=20)
    key = "part:" + digest.hexdigest()
    kept = caches["pages"].get(key)
    if kept is None:
        kept = make()
        caches["pages"].set(key, kept, KEPT_SECONDS)
    return kept


class KeptPagesMiddleware:
    """Answers a GET of a page named in ``settings.KEPT_PAGES`` from the ``pages`` cache
    while the database has not changed, and keeps what the view answered otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        key = getattr(request, "_kept_page_key", None)
        if key and _keepable(response):
            # the view's own headers (DRF's Allow and Vary among them); the middleware
            # outside this one adds its own again to the kept answer
            store = "large_pages" if len(response.content) > LARGE_BYTES else "pages"
            caches[store].set(key, (response.content, list(response.items())), KEPT_SECONDS)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not _eligible(request):
            return None
        version = data_version()
        if version is None:
            return None
        key = page_key(request, version)
        kept = caches["pages"].get(key) or caches["large_pages"].get(key)
        if kept is not None:
            content, headers = kept
            return HttpResponse(content, headers=dict(headers))
        request._kept_page_key = key
        return None


def _eligible(request) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and match is not None
        and match.view_name in settings.KEPT_PAGES
        and request.user.is_authenticated
        and "HTTP_AUTHORIZATION" not in request.META
        # a browser that holds its CSRF cookie: a page made without one carries the
        # token of a secret whose cookie only the first answer sets
        and request.META.get("CSRF_COOKIE")
        and not len(get_messages(request))
    )


def _keepable(response) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and len(response.content) <= KEPT_MAX_BYTES
        and not response.cookies
        and not response.has_header("Content-Disposition")
    )
