"""The inbox's pages: the user's messages with their filters and pager, one message
(opening it marks it read), mark unread, mark all read, and the navigation's counts
(loaded after the page, so no page pays for them)."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from releasemgmt.notifications import services
from releasemgmt.notifications.forms import PreferenceForm
from releasemgmt.notifications.models import Preference
from releasemgmt.web import posted

from . import inbox as selectors
from .forms import InboxFilterForm


def _inbox_url(filters: selectors.Filters) -> str:
    query = filters.query()
    return reverse("dashboards:inbox") + (f"?{urlencode(query)}" if query else "")


def _preference(user) -> Preference:
    return Preference.objects.filter(user=user).first() or Preference(user=user)


@login_required
def inbox(request):
    """Every mail the tool sent (or would have sent) to the user, newest first, filtered
    and paged, with the user's choice of informational notices by e-mail."""
    form = PreferenceForm(posted(request)[0], instance=_preference(request.user))
    if request.method == "POST" and form.is_valid():
        services.set_preference(
            user=request.user, email_informed=form.cleaned_data["email_informed"]
        )
        flash.success(request, "Your e-mail preference is saved.")
        return redirect("dashboards:inbox")
    filter_form = InboxFilterForm(request.GET)
    status = 400 if request.GET and not filter_form.is_valid() else None
    return _inbox_page(request, form, filter_form, status)


def _inbox_page(request, form, filter_form, status):
    """The inbox with the filters of ``filter_form`` (none while it has errors: they are
    shown on it, with what was sent)."""
    filters = filter_form.filters()
    page = selectors.inbox_page(request.user, filters, filter_form.cleaned_data.get("page"))
    return render(
        request,
        "dashboards/inbox.html",
        {
            "page": page,
            "form": form,
            "filter_form": filter_form,
            "filters": filters,
            "query": urlencode(filters.query()),
        },
        status=status,
    )


@login_required
@require_GET
def message(request, pk):
    """One message in full; opening it marks it read (the first time only)."""
    row = services.mark_read(selectors.message(request.user, pk))
    return render(request, "dashboards/message.html", {"r": row, "c": row.communication})


@login_required
@require_POST
def mark_unread(request, pk):
    """Back among the unread, to come back to it."""
    services.mark_unread(selectors.message(request.user, pk))
    flash.success(request, "The message is marked unread.")
    return redirect("dashboards:inbox")


@login_required
@require_POST
def mark_all_read(request):
    """Mark read every unread message the filters (sent with the form) show."""
    form = InboxFilterForm(request.POST)
    if not form.is_valid():
        preference = PreferenceForm(instance=_preference(request.user))
        return _inbox_page(request, preference, form, 400)
    filters = form.filters()
    owed = selectors.owed_now(request.user) if filters.needs_action else None
    count = services.mark_all_read(selectors.messages(request.user, filters, owed))
    flash.success(request, f"{count} message{'' if count == 1 else 's'} marked read.")
    return redirect(_inbox_url(filters))


@login_required
@require_GET
def counts(request):
    """The navigation's badge: unread messages and actions owed (an htmx fragment)."""
    return render(
        request, "dashboards/inbox_counts.html", {"counts": selectors.counts(request.user)}
    )
