"""The page where a user names their deputy for a period and sees who stands in for
whom (issue 16 point 4); an administrator names one for anyone here too."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from releasemgmt.errors import Conflict
from releasemgmt.web import posted, run_form

from . import deputies, permissions, selectors
from .forms import DeputyForm


@login_required
def deputy_list(request):
    """The delegations the user gave and received (an administrator's: everyone's), and
    the form to name a deputy."""
    for_anyone = permissions.may_name_deputies_for_anyone(request.user)
    form = DeputyForm(posted(request)[0])
    status = None
    if request.method == "POST":
        saved, status = run_form(
            form,
            lambda data: deputies.name_deputy(
                by=request.user,
                principal=data.get("principal") or request.user,
                deputy=data["deputy"],
                starts=data["starts"],
                ends=data["ends"],
                reason=data["reason"],
            ),
        )
        if status is None:
            messages.success(request, f"{saved.deputy} is deputy of {saved.principal}.")
            return redirect("deputies:list")
    today = timezone.localdate()
    rows = list(selectors.delegations_visible_to(request.user)[:200])
    for d in rows:
        d.state = d.state_on(today)
        d.may_revoke = d.state in ("active", "upcoming") and permissions.may_revoke_delegation(
            request.user, d
        )
    return render(
        request,
        "raci/deputies.html",
        {"delegations": rows, "form": form, "for_anyone": for_anyone},
        status=status,
    )


@login_required
@require_POST
def deputy_revoke(request, pk):
    """Ends a delegation now; someone else's is not found."""
    delegation = get_object_or_404(selectors.delegations_visible_to(request.user), pk=pk)
    try:
        deputies.revoke_delegation(delegation, by=request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, f"{delegation.deputy} no longer stands in for {delegation.principal}."
        )
    return redirect("deputies:list")
