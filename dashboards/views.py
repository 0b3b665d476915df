"""The pages that read everything: each persona's start page, the business threads'
decisions, the calendar with its personal iCalendar feed, and the login page (which, on
the embedded default, lists the demo users)."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from aftercare import selectors as aftercare
from changes import selectors as changes
from deployments.selectors import notifications_to_send, owed_decisions_page
from dsl import selectors as cmdb
from dsl.models import CITask
from raci import permissions
from raci.models import Party
from readiness import selectors as readiness
from releasemgmt.accounts import feeds as feed_addresses
from releasemgmt.forms import InputGuard
from releasemgmt.paging import page_number
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
    the late ones marked (issue 16 point 3).

    The page itself holds the greeting and the open releases; what waits for the user
    comes in parts (``START_PARTS``) that htmx asks for once the page is shown, side by
    side, as the release page loads its sections. Each part reads one kind of work, so
    none waits for the slowest, and each is kept on its own (``KEPT_PAGES``). Without
    htmx each part's link opens it as a page of its own (issue 17)."""
    recent = releases.release_list(request.user).exclude(stage__in=[Stage.CLOSED, Stage.CANCELLED])
    return render(
        request,
        "dashboards/start.html",
        {
            "recent": releases.labelled(releases.release_rows(recent[:10])),
            "may_formalise": permissions.may_formalise(request.user),
            "parts": [(name, title) for name, (_, title) in START_PARTS.items()],
        },
    )


def _decisions(user) -> dict:
    """RM.4.1, RM.5.2 and RM.6.3: the decisions the user's thread owes, and the mass
    notifications the service desk is asked to send."""
    owed = owed_decisions_page(user, 0, START_SHOWN)
    return {
        "owed": owed.owed,
        "more_owed": owed.more,
        "to_notify": notifications_to_send(user, limit=START_SHOWN),
    }


def _waiting(user) -> dict:
    """The activities of Table 4-1 the user performs and that wait for them."""
    waiting = with_due_dates(releases.first_waiting(user, START_SHOWN + 1))
    return {"waiting": waiting[:START_SHOWN], "more_waiting": len(waiting) > START_SHOWN}


def _readiness(user) -> dict:
    """Go-live readiness: the Go/No-Go boards the user sits on and the Move2Run items
    their parties owe."""
    return {
        "boards": readiness.boards_sat_on(user, limit=BOARDS_SHOWN),
        "checklist_items": readiness.items_owed(user, limit=CHECKLIST_ITEMS_SHOWN),
    }


def _follow_up(user) -> dict:
    """Change management, the CI status changes to confirm (RM.6.7), the surveys the
    user owes, and what the process asked of them by e-mail."""
    return {
        "changes": _change_work(user),
        "ci_tasks": _ci_tasks(user),
        "surveys_owed": satisfaction.owed_by(user, limit=SURVEYS_SHOWN),
        "asked": list(selectors.asked_of(user)),
    }


def _aftercare(user) -> dict:
    """What aftercare owes the user: hypercare's open incidents, the post-release
    reviews and their improvement actions (seed 002 section 6). A part of its own: with
    the follow-up's reads, one part took 67 ms at 100,000 releases (issue 17)."""
    return {"aftercare": aftercare.start_items(user)}


#: the parts of the start page, in the page's order: what builds each, and the title of
#: its link (and of its page without htmx); each part's template is
#: ``dashboards/start/_<name>.html`` and renders nothing when nothing waits
START_PARTS = {
    "decisions": (_decisions, "Decisions and mass notifications waiting for you"),
    "waiting": (_waiting, "Activities waiting for you"),
    "readiness": (_readiness, "Go-live readiness waiting for you"),
    "aftercare": (_aftercare, "Aftercare waiting for you"),
    "follow-up": (_follow_up, "Changes, configuration and mail waiting for you"),
}


@require_GET
@login_required
def start_part(request, part):
    """One part of the start page (``START_PARTS``): the bare sections when htmx asks
    (nothing at all when nothing waits, so the page can say so), a page in the site's
    layout otherwise; 404 for a part that is not one."""
    if part not in START_PARTS:
        raise Http404("No such part of the start page.")
    build, title = START_PARTS[part]
    body = render_to_string(f"dashboards/start/_{part}.html", build(request.user), request)
    if request.htmx:
        return HttpResponse(body)
    return render(
        request, "dashboards/start_part.html", {"title": title, "body": mark_safe(body.strip())}
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
    return list(cmdb.ci_tasks(user, status=CITask.Status.OPEN)[:CI_TASKS_SHOWN])


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


#: how many releases' decisions owed a page of approvals settles
APPROVALS_PER_PAGE = 50


@login_required
def approvals(request):
    """What waits for the user's business thread(s): decisions, approvals, authorisations,
    a page of releases at a time in order of installation (a thread may owe thousands)."""
    number = page_number(request.GET.get("page"))
    page = owed_decisions_page(request.user, (number - 1) * APPROVALS_PER_PAGE, APPROVALS_PER_PAGE)
    if not page.read and number > 1:  # past the last page
        number, page = 1, owed_decisions_page(request.user, 0, APPROVALS_PER_PAGE)
    return render(
        request,
        "dashboards/approvals.html",
        {"owed": page.owed, "more": page.more, "number": number, "per_page": APPROVALS_PER_PAGE},
    )


@login_required
def calendar(request):
    """Month, week and list views of the milestones, change windows and blackout and
    maintenance windows the user may see; the entries come from ``/api/v1/calendar/``.
    Shown in the service's time zone, the one the API counts a month's days in, whatever
    the reader's browser says."""
    form = CalendarFilterForm(request.GET or None)
    form.is_valid()
    context = {"form": form, "time_zone": timezone.get_current_timezone_name()}
    return render(request, "dashboards/calendar.html", context)


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
