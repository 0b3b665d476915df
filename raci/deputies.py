"""Deputies (issue 16 point 4): a user names who stands in for them over a period, or an
administrator does for them; either ends it early. What a deputy may do is answered by
``permissions`` (the principal's parties on the principal's releases), whom a mail goes
to by ``selectors.with_deputies``."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from . import permissions
from .models import Delegation

#: the longest period one delegation covers: an absence, not a second account
LONGEST = datetime.timedelta(days=366)


def _check_period(starts, ends) -> None:
    today = timezone.localdate()
    if ends < starts:
        raise ValidationError({"ends": "The period ends on or after the day it starts."})
    if starts < today:
        raise ValidationError({"starts": "A deputy stands in from today on, not in the past."})
    if ends - starts > LONGEST:
        raise ValidationError({"ends": "A deputy is named for a year at most."})


def overlapping(principal, starts, ends):
    """The principal's delegations, not revoked, whose period meets ``starts``-``ends``:
    one deputy at a time, so that a mail and a decision have one stand-in."""
    return Delegation.objects.filter(
        principal=principal, revoked_at__isnull=True, starts__lte=ends, ends__gte=starts
    )


@transaction.atomic
def name_deputy(*, by, deputy, starts, ends, reason="", principal=None) -> Delegation:
    """``deputy`` stands in for ``principal`` (by default ``by``) from ``starts`` to
    ``ends`` (days included): any active user may be named, and gains only the
    principal's parties on the principal's releases for the period."""
    principal = principal or by
    if not permissions.may_name_deputy(by, principal):
        raise PermissionDenied("Only an administrator names a deputy for someone else.")
    if not principal.is_active:
        raise ValidationError({"principal": "This account is not active."})
    if deputy.pk == principal.pk:
        raise ValidationError({"deputy": "Nobody is their own deputy."})
    if not deputy.is_active:
        raise ValidationError({"deputy": "Name an active user."})
    _check_period(starts, ends)
    # one at a time per principal: a concurrent naming waits here and then sees this one
    get_user_model().objects.select_for_update().filter(pk=principal.pk).first()
    clash = overlapping(principal, starts, ends).select_related("deputy").first()
    if clash is not None:
        raise Conflict(
            f"{principal} already has a deputy for part of this period: {clash.deputy} "
            f"from {clash.starts} to {clash.ends}. Revoke it or choose other days.",
            missing=[f"a period without a deputy ({clash.starts} to {clash.ends} is taken)"],
        )
    delegation = Delegation.objects.create(
        principal=principal,
        deputy=deputy,
        starts=starts,
        ends=ends,
        reason=reason,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="deputy_named",
        obj=delegation,
        after={
            "principal": principal.get_username(),
            "deputy": deputy.get_username(),
            "starts": starts,
            "ends": ends,
            "reason": reason,
        },
    )
    permissions.forget(deputy)
    return delegation


@transaction.atomic
def revoke_delegation(delegation, *, by) -> Delegation:
    """Ends a delegation at once (the principal is back early, the deputy steps down):
    from now on the deputy acts as themselves only. The row stays on the record."""
    if not permissions.may_revoke_delegation(by, delegation):
        raise PermissionDenied("Only the principal, the deputy or an administrator ends it.")
    delegation = Delegation.objects.select_for_update().get(pk=delegation.pk)
    if delegation.revoked_at is not None:
        raise Conflict("This delegation was revoked already.")
    if delegation.ends < timezone.localdate():
        raise Conflict("This delegation is over already.")
    delegation.revoked_at, delegation.revoked_by = timezone.now(), by
    delegation.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(
        actor=by,
        action="deputy_revoked",
        obj=delegation,
        before={"revoked_at": None},
        after={"revoked_at": delegation.revoked_at},
    )
    permissions.forget(delegation.deputy)
    return delegation
