"""Release pages. Thin: forms in, services do the work, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from raci import permissions as raci
from raci import selectors as matrix
from raci.permissions import Parties
from releasemgmt.errors import Conflict
from releasemgmt.web import posted, run_form

from . import registry, selectors, services
from .downloads import release_files
from .filters import ReleaseFilter
from .forms import AssignRolesForm, FormaliseReleaseForm, RevisePlanningForm, TransitionForm
from .models import STAGE_NUMBER, Stage


def activity_form(request, form, *, activity, title, perform, success, release=None):
    """The release's own forms (RM.1.1, RM.1.2): a valid POST calls the service; an error
    comes back on the form with what was typed; success goes to the release."""
    status = None
    if request.method == "POST":
        result, status = run_form(form, perform)
        if status is None:
            messages.success(request, success.format(result=result))
            return redirect("releases:detail", identifier=(release or result).identifier)
    context = {"form": form, "release": release, "activity": activity, "title": title}
    return render(request, "releases/release_form.html", context, status=status)


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
            "may_formalise": raci.may_formalise(request.user),
        },
    )


@login_required
def release_create(request):
    """RM.1.1 Formalise release."""
    if not raci.may_formalise(request.user):
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


def _by_stage(records, release) -> list[dict]:
    """The activity records grouped by stage (RM.1 ... RM.7), the current stage open."""
    stages = {}
    for record in records:
        stage = stages.setdefault(
            record.activity.stage,
            {"number": record.activity.stage, "name": record.activity.stage_name, "records": []},
        )
        stage["records"].append(record)
    for stage in stages.values():
        stage["current"] = stage["number"] == release.stage_number
        stage["done"] = all(r.status != r.Status.PENDING for r in stage["records"])
    return list(stages.values())


#: the newest audit entries on the release page; the API serves the whole trail
AUDIT_SHOWN = 25


@login_required
def release_detail(request, identifier):
    release = selectors.visible_release_or_404(request.user, identifier)
    parties, _, cells = matrix.matrix()
    names = {p.id: p.short_name for p in parties}
    mine = matrix.letters_for(raci.parties_on_release(request.user, release), cells)
    records = list(
        release.activity_records.select_related("activity", "performed_by").order_by(
            "activity__position"
        )
    )
    rows = {}
    for (aid, pid), letters in cells.items():
        rows.setdefault(aid, {})[pid] = letters
    assignments = list(release.assignments.select_related("party", "user", "group"))
    holders = {}
    for a in assignments:
        holders.setdefault(a.party_id, []).append(a.holder_name)
    for record in records:
        row = rows.get(record.activity_id, {})
        record.my_letters = mine.get(record.activity_id, "")
        record.responsible = [names[pid] for pid, letters in row.items() if "R" in letters]
        record.accountable = [names[pid] for pid, letters in row.items() if "A" in letters]
        record.held_by = sorted(
            {h for pid, letters in row.items() if "R" in letters for h in holders.get(pid, [])}
        )
    return render(
        request,
        "releases/release_detail.html",
        {
            "release": release,
            "stage_bar": _stage_bar(release),
            "records": records,
            "stages": _by_stage(records, release),
            "next_steps": [
                r
                for r in records
                if r.status == r.Status.PENDING and r.activity.stage == release.stage_number
            ],
            "files": release_files(release),
            "assignments": assignments,
            "may_revise": raci.may_perform(request.user, release, "RM.1.1") and release.is_open,
            "may_assign": raci.may_perform(request.user, release, "RM.1.2") and release.is_open,
            "audit": selectors.audit_trail(release, limit=AUDIT_SHOWN),
            "transitions": selectors.manual_transitions(request.user, release),
            "mass_notification_link": raci.follows_mass_notifications(request.user, release)
            and selectors.notification_requested(release),
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
        "deployment_coordinator": getattr(
            current.get(Parties.DEPLOYMENT_COORDINATOR), "user", None
        ),
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


@login_required
def activity_page(request, identifier, code):
    """One activity of one release, built from its declaration in the registry: what the
    process says, what was recorded, the form to perform it and the extra actions, for
    those who may. A form that fails comes back with the reason and what was typed."""
    release = selectors.visible_release_or_404(request.user, identifier)
    spec = registry.find(code)
    if spec is None:
        raise Http404("No such activity.")
    if spec.page:
        return redirect(spec.page, identifier=identifier)
    record = release.activity_records.select_related("activity", "performed_by").get(
        activity__code=code
    )
    may_perform = raci.may_perform(request.user, release, code)
    pending = record.status == record.Status.PENDING
    actions = {
        a.slug: a
        for a in registry.actions_on(code)
        if registry.offered(a, request.user, release, pending=pending)
    }
    forms = {slug: a.form(release=release) for slug, a in actions.items()}
    if spec.form is not None:
        forms[""] = spec.form(release=release)
    status = None
    if request.method == "POST":
        slug = request.POST.get("action", "")
        chosen = actions.get(slug) if slug else spec
        if chosen is None or chosen.form is None:
            raise Http404("No such action open on this activity.")
        form = chosen.form(*posted(request), release=release)
        forms[slug] = form
        if not slug and not may_perform:
            form.is_valid()  # shown again with what was typed, and the reason
            form.add_error(None, raci.why_not_perform(release, code))
            status = 403
        else:
            _, status = run_form(
                form, lambda data: chosen.perform(release, by=request.user, **data)
            )
            if status is None:
                messages.success(request, f"{chosen.label}: done.")
                return redirect("releases:activity", identifier=identifier, code=code)
    return render(
        request,
        "releases/activity.html",
        {
            "release": release,
            "activity": record.activity,
            "record": record,
            "spec": spec,
            "form": forms.get(""),
            "actions": [(slug, a, forms[slug]) for slug, a in actions.items()],
            "may_perform": may_perform,
            **spec.records(release, request.user),
        },
        status=status,
    )


@login_required
@require_POST
def transition(request, identifier, name):
    """A stage transition asked for by hand (cancel, corrected delivery, re-authorise...).
    A reason that cannot be taken shows the release page again, with why."""
    release = selectors.visible_release_or_404(request.user, identifier)
    form = TransitionForm(request.POST, release=release)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        response = release_detail(request, identifier)
        response.status_code = 400
        return response
    try:
        services.fire_transition(release, name, by=request.user, reason=form.cleaned_data["reason"])
    except (Conflict, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, f"{release.identifier}: {name.replace('_', ' ')} done.")
    return redirect("releases:detail", identifier=identifier)
