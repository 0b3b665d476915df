"""Personal calendar feeds: each user's secret address of the iCalendar feed, read
without logging in. The address is the user's key and an HMAC of it under the site's
secret key (``SECRET_KEY``, or one of ``SECRET_KEY_FALLBACKS`` while it is rotated):
the database holds no secret, the page can show the address again at any time, and a
regenerated key kills the old address at once."""

import secrets

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac

from releasemgmt.audit import services as audit

from .models import CalendarFeed

SALT = "releasemgmt.accounts.feeds"
KEY_BYTES = 12  # 24 hex digits


def _signature(key: str, secret: str | None = None) -> str:
    return salted_hmac(SALT, key, secret=secret, algorithm="sha256").hexdigest()


def token_of(feed: CalendarFeed) -> str:
    """The secret part of the feed's address."""
    return f"{feed.key}-{_signature(feed.key)}"


def feed_of(user) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user).first()


@transaction.atomic
def regenerate(user) -> CalendarFeed:
    """A new address for the user's feed (the first, or one that replaces the old)."""
    key = secrets.token_hex(KEY_BYTES)
    feed, created = CalendarFeed.objects.update_or_create(user=user, defaults={"key": key})
    audit.record(
        actor=user,
        action="calendar_feed_created" if created else "calendar_feed_regenerated",
        obj=user,
        after={"key": key[:6]},
    )
    return feed


def user_for(token: str):
    """The active user whose feed address carries ``token``, or None."""
    key, _, signature = token.partition("-")
    if len(key) != 2 * KEY_BYTES or not signature:
        return None
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if not any(constant_time_compare(signature, _signature(key, k)) for k in keys):
        return None
    feed = CalendarFeed.objects.select_related("user").filter(key=key).first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user
