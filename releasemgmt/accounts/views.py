"""The user's own account page: their API tokens, created and revoked here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from releasemgmt.errors import Conflict

from . import tokens


@login_required
def token_list(request):
    """The user's API tokens; a new one is shown once, right after it is made."""
    secret = request.session.pop("new_api_token", None)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": tokens.tokens_of(request.user), "secret": secret},
    )


@login_required
@require_POST
def token_create(request):
    try:
        _, secret = tokens.issue_token(request.user)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        request.session["new_api_token"] = secret
    return redirect("accounts:tokens")


@login_required
@require_POST
def token_revoke(request, token_key):
    if token_key == "all":
        count = tokens.revoke_all_tokens(request.user)
        messages.success(request, f"{count} API token(s) revoked.")
    else:
        tokens.revoke_token(request.user, token_key)
        messages.success(request, f"API token {token_key}… revoked.")
    return redirect("accounts:tokens")
