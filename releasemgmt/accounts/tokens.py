"""API tokens (django-rest-knox): several per user, kept only as a digest, expiring after
``API_TOKEN_TTL_HOURS``; each user sees theirs (by the first characters, never the secret)
and revokes any of them, one or all."""

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from knox.models import AuthToken

from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict


@transaction.atomic
def issue_token(user) -> tuple[AuthToken, str]:
    """A new token for ``user``: (its record, the secret, shown once). A user keeps at
    most ``API_TOKENS_PER_USER`` of them."""
    limit = settings.REST_KNOX["TOKEN_LIMIT_PER_USER"]
    if tokens_of(user).count() >= limit:
        raise Conflict(f"You have {limit} API tokens already: revoke one first.")
    record, secret = AuthToken.objects.create(user, expiry=settings.REST_KNOX["TOKEN_TTL"])
    audit.record(actor=user, action="api_token_issued", obj=user, after={"token": record.token_key})
    return record, secret


def tokens_of(user):
    """The user's tokens that still work, newest first."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).order_by("-created")


@transaction.atomic
def revoke_token(user, token_key: str) -> None:
    """Revoke one of the user's tokens (404 for a key that is not theirs)."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise Http404("No such token.")
    audit.record(actor=user, action="api_token_revoked", obj=user, after={"token": token_key})


@transaction.atomic
def revoke_all_tokens(user) -> int:
    deleted, _ = AuthToken.objects.filter(user=user).delete()
    if deleted:
        audit.record(actor=user, action="api_token_revoked", obj=user, after={"token": "all"})
    return deleted
