"""Release pages. Thin: forms in, services do the work, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from raci import services as raci
from releasemgmt.errors import Conflict
from releasemgmt.forms import posted

from . import selectors, services
from .filters import ReleaseFilter
from .forms import AssignRolesForm, FormaliseReleaseForm, RevisePlanningForm
from .models import STAGE_NUMBER, Stage


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def activity_form(request, form, *, activity, title, perform, success, release=None):
    """The one way an activity form is handled: a valid POST calls the service, whose
    ValidationError comes back on the form (nothing saved); success goes to the release."""
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success.format(result=result))
            return redirect("releases:detail", identifier=(release or result).identifier)
    context = {"form": form, "release": release, "activity": activity, "title": title}
    return render(request, "releases/release_form.html", context)


@login_required
def start(request):
    """Each persona's start page: what waits for them now."""
    waiting = list(selectors.waiting_for(request.user)[:50])
    recent = selectors.release_list(request.user).exclude(
        stage__in=[Stage.CLOSED, Stage.CANCELLED]
    )[:10]
    from deployments.selectors import owed_decisions

    return render(
        request,
        "releases/start.html",
        {
            "waiting": waiting,
            "owed": owed_decisions(request.user, limit=50),
            "recent": recent,
            "may_formalise": raci.holds_party(request.user, raci.RELEASE_MANAGER),
        },
    )


@login_required
def release_list(request):
    releases = ReleaseFilter(request.GET, queryset=selectors.release_list(request.user))
    page = Paginator(releases.qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "releases/release_list.html",
        {
            "filter": releases,
            "page": page,
            "may_formalise": raci.holds_party(request.user, raci.RELEASE_MANAGER),
        },
    )


@login_required
def release_create(request):
    """RM.1.1 Formalise release."""
    if not raci.holds_party(request.user, raci.RELEASE_MANAGER):
        raise PermissionDenied("Only an ITSM Release Manager may formalise a release (RM.1.1).")
    return activity_form(
        request,
        FormaliseReleaseForm(posted(request)[0]),
        activity="RM.1.1",
        title="Formalise a release",
        perform=lambda data: services.formalise_release(by=request.user, **data),
        success="Release {result.identifier} formalised (RM.1.1).",
    )


def _stage_bar(release):
    current = STAGE_NUMBER.get(release.stage)
    bar = []
    for stage, number in STAGE_NUMBER.items():
        if stage == Stage.CONFORMANCE and not release.conformance_testing:
            continue
        if current is None:
            state = "done" if release.stage == Stage.CLOSED else "upcoming"
        else:
            state = "done" if number < current else "current" if number == current else "upcoming"
        bar.append({"label": stage.label, "state": state})
    return bar


#: the newest audit entries on the release page; the API serves the whole trail
AUDIT_SHOWN = 25


@login_required
def release_detail(request, identifier):
    release = selectors.visible_release_or_404(request.user, identifier)
    parties, _, cells = raci.matrix()
    names = {p.id: p.short_name for p in parties}
    mine = raci.letters_for(raci.parties_on_release(request.user, release), cells)
    records = list(
        release.activity_records.select_related("activity", "performed_by").order_by(
            "activity__position"
        )
    )
    rows = {}
    for (aid, pid), letters in cells.items():
        rows.setdefault(aid, {})[pid] = letters
    for record in records:
        row = rows.get(record.activity_id, {})
        record.my_letters = mine.get(record.activity_id, "")
        record.responsible = [names[pid] for pid, letters in row.items() if "R" in letters]
        record.accountable = [names[pid] for pid, letters in row.items() if "A" in letters]
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "stage_bar": _stage_bar(release),
            "records": records,
            "assignments": release.assignments.select_related("party", "user", "group"),
            "may_revise": raci.may_perform(request.user, release, "RM.1.1") and release.is_open,
            "may_assign": raci.may_perform(request.user, release, "RM.1.2") and release.is_open,
            "audit": selectors.audit_trail(release, limit=AUDIT_SHOWN),
            "transitions": selectors.manual_transitions(request.user, release),
            **selectors.release_evidence(release),
        },
    )


@login_required
def release_edit(request, identifier):
    """RM.1.1: revise the planning of an open release."""
    release = selectors.visible_release_or_404(request.user, identifier)
    raci.require_perform(request.user, release, "RM.1.1")
    return activity_form(
        request,
        RevisePlanningForm(posted(request)[0], release=release),
        activity="RM.1.1",
        title="Revise planning",
        perform=lambda data: services.revise_planning(release, by=request.user, **data),
        success="Planning revised (RM.1.1).",
        release=release,
    )


@login_required
def assign_roles(request, identifier):
    """RM.1.2 Assign roles."""
    release = selectors.visible_release_or_404(request.user, identifier)
    raci.require_perform(request.user, release, "RM.1.2")
    current = {a.party.name: a for a in release.assignments.select_related("party", "group")}
    initial = {
        "deployment_coordinator": getattr(current.get(raci.DEPLOYMENT_COORDINATOR), "user", None),
        "business_threads": [
            a.party for a in current.values() if a.party.kind == "business_thread"
        ],
    }
    return activity_form(
        request,
        AssignRolesForm(posted(request)[0], initial=initial),
        activity="RM.1.2",
        title="Assign roles",
        perform=lambda data: services.assign_roles(release, by=request.user, **data),
        success="Roles assigned (RM.1.2).",
        release=release,
    )


@login_required
def schedule(request):
    """RM.1.4: the release schedule, the published releases by planned installation date."""
    releases = selectors.release_list(request.user).filter(published_at__isnull=False)
    page = Paginator(releases.order_by("planned_installation_date", "identifier"), 100)
    return render(
        request, "releases/schedule.html", {"page": page.get_page(request.GET.get("page"))}
    )
