"""The pages that read everything: each persona's start page, the business threads'
decisions, the calendar with its personal iCalendar feed, and the login page (which, on
the embedded default, lists the demo users)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftercare import selectors as aftercare
from changes import selectors as changes
from deployments.selectors import notifications_to_send, owed_decisions
from dsl import selectors as cmdb
from dsl.models import CITask
from raci import permissions
from raci.models import Party
from readiness import selectors as readiness
from releasemgmt.accounts import feeds as feed_addresses
from releasemgmt.forms import InputGuard
from releases import selectors as releases
from releases.due_dates import with_due_dates
from releases.models import Stage
from satisfaction import selectors as satisfaction

from . import feeds, selectors
from .forms import CalendarFilterForm


class LoginForm(InputGuard, AuthenticationForm):
    """Django's login form, with the guard against hostile input of every form."""


class LoginView(auth_views.LoginView):
    """The login page; on the embedded default it also lists the demo accounts."""

    authentication_form = LoginForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if settings.DEMO_LOGINS:
            context["demo_parties"] = Party.objects.prefetch_related("group__user_set")
        return context


@login_required
def start(request):
    """Each persona's start page: what waits for them now, the earliest due first and
    the late ones marked (issue 16 point 3)."""
    waiting = with_due_dates(releases.waiting_for(request.user)[: START_SHOWN + 1])
    owed = owed_decisions(request.user, limit=START_SHOWN + 1)
    recent = releases.release_list(request.user).exclude(stage__in=[Stage.CLOSED, Stage.CANCELLED])[
        :10
    ]
    return render(
        request,
        "dashboards/start.html",
        {
            "waiting": waiting[:START_SHOWN],
            "more_waiting": len(waiting) > START_SHOWN,
            "owed": owed[:START_SHOWN],
            "more_owed": len(owed) > START_SHOWN,
            "asked": list(selectors.asked_of(request.user)),
            "to_notify": notifications_to_send(request.user, limit=START_SHOWN),
            "recent": recent,
            "may_formalise": permissions.may_formalise(request.user),
            "changes": _change_work(request.user),
            "ci_tasks": _ci_tasks(request.user),
            "surveys_owed": satisfaction.owed_by(request.user, limit=SURVEYS_SHOWN),
            "checklist_items": readiness.items_owed(request.user, limit=CHECKLIST_ITEMS_SHOWN),
            "aftercare": aftercare.start_items(request.user),
            "boards": readiness.boards_sat_on(request.user, limit=BOARDS_SHOWN),
        },
    )


#: how many activities, decisions and notifications waiting for the user the start page
#: lists, the earliest due first; the inbox ("needs action") and the approvals page list
#: them all
START_SHOWN = 20
#: how many satisfaction surveys the user owes the start page lists
SURVEYS_SHOWN = 20
#: how many open Move2Run items the start page lists, the earliest due first
CHECKLIST_ITEMS_SHOWN = 20
#: how many undecided Go/No-Go boards the user sits on the start page lists, soonest first
BOARDS_SHOWN = 20

#: how many open CI tasks the configuration manager's start page lists
CI_TASKS_SHOWN = 20


def _ci_tasks(user) -> list | None:
    """RM.6.7: the CI status changes waiting for the configuration manager's confirmation."""
    if not permissions.may_confirm_ci_changes(user):
        return None
    return list(cmdb.ci_tasks(user, status=CITask.Status.OPEN, limit=CI_TASKS_SHOWN))


#: how many RfCs of each kind the start page counts before it says "or more"
CHANGES_COUNTED = 20


def _change_work(user) -> dict | None:
    """What waits for the change manager, counted (the change management page lists it)."""
    if not permissions.may_manage_changes(user):
        return None
    work = changes.change_manager_work(user, limit=CHANGES_COUNTED)
    return {
        "counts": [
            (label, len(work[key]), anchor)
            for key, label, anchor in (
                ("to_assess", "to assess", "to-assess"),
                ("awaiting_cab", "awaiting the CAB", "awaiting-cab"),
                ("reviews_owed", "owing a review", "reviews-owed"),
                ("in_trouble", "whose release is in trouble", "in-trouble"),
            )
        ],
        "next_meeting": work["next_meeting"],
        "limit": CHANGES_COUNTED,
    }


@login_required
def approvals(request):
    """What waits for the user's business thread(s): decisions, approvals, authorisations."""
    return render(request, "dashboards/approvals.html", {"owed": owed_decisions(request.user)})


@login_required
def calendar(request):
    """Month, week and list views of the milestones, change windows and blackout and
    maintenance windows the user may see; the entries come from ``/api/v1/calendar/``."""
    form = CalendarFilterForm(request.GET or None)
    form.is_valid()
    return render(request, "dashboards/calendar.html", {"form": form})


@require_GET
def calendar_feed(request, token):
    """The personal iCalendar feed: read without logging in, by its secret address
    (``accounts:calendar_feed``), with the visibility of its owner and the calendar's
    filters in its query; 404 for an address that is not, or no longer, one."""
    user = feed_addresses.user_for(token)
    if user is None:
        raise Http404("No such calendar feed.")
    form = CalendarFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {' '.join(errors)}" for name, errors in form.errors.items()),
            content_type="text/plain; charset=utf-8",
        )
    text = feeds.feed(user, form.filters())
    response = HttpResponse(text, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="releases.ics"'
    response["Cache-Control"] = "private, no-cache"
    return response
