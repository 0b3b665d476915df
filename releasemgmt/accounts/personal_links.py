"""Personal links: a mail lets one user do one thing with one click and a confirmation
(answer a satisfaction survey, decide GO/NOGO). Generic: a link names its ``purpose``,
the object it is about and its user; the room that owns the purpose registers what the
link shows and does (``register``), the way Django's admin registers models.

The link carries ``secret:signature`` (``django.core.signing.Signer`` with the site's
secret key, salted per use): a token altered by one character fails its signature and
answers 404 before the database is read. Only the SHA-256 of the secret is kept. A link
acts once, inside the transaction of its action and under a row lock, so that two posts
at once give one answer and one refusal; it expires after ``PERSONAL_LINK_TTL_DAYS``; a
new link for the same purpose, object and user supersedes the older ones. Another
user's link answers exactly as a link that does not exist (404)."""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from .models import PersonalLink

SALT = "releasemgmt.accounts.personal-link"


@dataclass(frozen=True)
class Purpose:
    """What a link of this purpose shows and does.

    ``form`` parses the confirmation (built as ``form(data, initial=..., target=...)``),
    ``template`` shows it already filled (context: ``link``, ``target``, ``form``),
    ``act(target, *, by, data)`` does the thing inside the link's transaction (raising
    the domain's errors), ``done_template`` thanks the user (context adds ``result``),
    ``initial(target, user)`` fills the form, ``title(target)`` names the link on its
    pages (used, expired, superseded), ``done_at(target, user)`` says when the thing
    was done, however it was (a superseded link then says so too)."""

    name: str
    form: type
    template: str
    done_template: str
    act: Callable
    title: Callable
    initial: Callable = field(default=lambda target, user: {})
    done_at: Callable = field(default=lambda target, user: None)


_purposes: dict[str, Purpose] = {}


def register(purpose: Purpose) -> None:
    _purposes[purpose.name] = purpose


def purpose_of(link: PersonalLink) -> Purpose:
    try:
        return _purposes[link.purpose]
    except KeyError:
        raise Http404("No such link.") from None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT)


def path_of(token: str) -> str:
    """The path of the page a token opens (the mail adds the site's address)."""
    return reverse("accounts:personal_link", args=[token])


def issue(user, purpose: str, target, *, by=None) -> tuple[PersonalLink, str]:
    """A new link for ``user`` to do ``purpose`` on ``target``: (its record, its token,
    to be mailed and never kept). Older open links of the same purpose, object and user
    are superseded (a reminder's link replaces the first mail's)."""
    if purpose not in _purposes:
        raise ValueError(f"No purpose {purpose!r} is registered.")
    now = timezone.now()
    target_type = ContentType.objects.get_for_model(target)
    PersonalLink.objects.filter(
        user=user,
        purpose=purpose,
        target_type=target_type,
        target_id=target.pk,
        used_at__isnull=True,
        superseded_at__isnull=True,
    ).update(superseded_at=now)
    secret = secrets.token_urlsafe(24)
    link = PersonalLink.objects.create(
        user=user,
        purpose=purpose,
        target_type=target_type,
        target_id=target.pk,
        digest=_digest(secret),
        expires_at=now + timedelta(days=settings.PERSONAL_LINK_TTL_DAYS),
    )
    audit.record(
        actor=by or user,
        action="personal_link_issued",
        obj=link,
        after={"purpose": purpose, "user": user.get_username(), "expires_at": link.expires_at},
    )
    return link, _signer().sign(secret)


def _query(user, token: str):
    """The user's link of this token, as a queryset (404 for a token whose signature
    fails, and, for another user's token, the same empty answer as for none)."""
    if not user.is_authenticated or len(token) > 200:
        raise Http404("No such link.")
    try:
        secret = _signer().unsign(token)
    except signing.BadSignature:
        raise Http404("No such link.") from None
    return PersonalLink.objects.filter(digest=_digest(secret), user=user)


def find(user, token: str) -> PersonalLink:
    link = _query(user, token).select_related("target_type").first()
    if link is None or link.target is None:
        raise Http404("No such link.")
    return link


def state(link: PersonalLink, now=None) -> str:
    """open, used, superseded or expired (in that order: a used link says so even once
    it has expired)."""
    now = now or timezone.now()
    if link.used_at:
        return "used"
    if link.superseded_at:
        return "superseded"
    if link.expires_at <= now:
        return "expired"
    return "open"


STATE_WORDS = {
    "used": "This link was used already",
    "superseded": "A newer link replaces this one",
    "expired": "This link has expired",
}


@transaction.atomic
def use(user, token: str, data: dict):
    """Do what the link is for, once: the link is locked first, its state checked under
    the lock (a second post at once waits here, then finds it used: 409), the purpose's
    action runs and the link is spent in the same transaction."""
    link = _query(user, token).select_for_update().first()
    if link is None or link.target is None:
        raise Http404("No such link.")
    current = state(link)
    if current != "open":
        raise Conflict(f"{STATE_WORDS[current]}.", missing=[current])
    purpose = purpose_of(link)
    result = purpose.act(link.target, by=user, data=data)
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])
    audit.record(actor=user, action="personal_link_used", obj=link, after={"purpose": link.purpose})
    return result


def spend(user, purpose: str, target) -> int:
    """Mark the user's open links of ``purpose`` on ``target`` used: the thing was done
    another way (from the tool's own page), so the mail's link says it is done."""
    return PersonalLink.objects.filter(
        user=user,
        purpose=purpose,
        target_type=ContentType.objects.get_for_model(target),
        target_id=target.pk,
        used_at__isnull=True,
        superseded_at__isnull=True,
    ).update(used_at=timezone.now())
