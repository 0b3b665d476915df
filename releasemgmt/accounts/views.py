"""The user's own account pages: their API tokens, created and revoked here, and the
address of their calendar feed, regenerated here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from releasemgmt.errors import Conflict

from . import feeds, tokens


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


#: the calendar's filters, which a feed's address may carry (the feed checks them)
FEED_FILTERS = ("application", "business_thread", "release_type", "stage")


@login_required
def calendar_feed(request):
    """The address of the user's calendar feed, to subscribe to in a calendar client;
    with the calendar's filters the page was opened with, the address of that view."""
    feed = feeds.feed_of(request.user)
    url = None
    filters = QueryDict(mutable=True)
    for name in FEED_FILTERS:
        if request.GET.get(name):
            filters[name] = request.GET[name]
    if feed is not None:
        path = reverse("dashboards:calendar_feed", args=[feeds.token_of(feed)])
        url = request.build_absolute_uri(path)
        if filters:
            url += "?" + filters.urlencode()
    return render(
        request,
        "accounts/calendar_feed.html",
        {"feed": feed, "url": url, "filters": filters},
    )


@login_required
@require_POST
def calendar_feed_regenerate(request):
    """A new address; the old one answers 404 from now on."""
    existed = feeds.feed_of(request.user) is not None
    feeds.regenerate(request.user)
    messages.success(
        request,
        "A new address: the old one no longer works."
        if existed
        else "Your calendar feed has an address.",
    )
    return redirect("accounts:calendar_feed")
