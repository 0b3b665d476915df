"""Release pages. Thin: forms in, services do the work, selectors read."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from raci import permissions as raci
from raci import selectors as matrix
from raci.permissions import Parties
from raci.release_types import ReleaseType
from releasemgmt.errors import Conflict
from releasemgmt.exports import FORMATS
from releasemgmt.forms import GuardedForm, choice_options
from releasemgmt.pagecache import kept_part
from releasemgmt.paging import Counted
from releasemgmt.web import posted, run_form

from . import planning, policy, registry, selectors, services, types, waivers
from .downloads import release_files
from .due_dates import with_due_dates
from .exports import export_releases
from .filters import KPI_FILTERS, ReleaseFilter, WindowFilter
from .forms import (
    AssignRolesForm,
    CatchUpForm,
    FormaliseReleaseForm,
    MilestoneForm,
    PolicyForm,
    RevisePlanningForm,
    TransitionForm,
    WaiveForm,
    WindowForm,
)
from .models import STAGE_NUMBER, Application, Milestone, Release, Stage, Window


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


#: the rows of a page of the release list
RELEASES_PER_PAGE = 50


@login_required
def release_list(request):
    releases = ReleaseFilter(request.GET, queryset=selectors.release_list(request.user))
    counter = releases.counter()
    rows = selectors.release_rows(releases.qs)
    paginator = (
        Paginator(rows, RELEASES_PER_PAGE)
        if counter is None
        else Counted(rows, RELEASES_PER_PAGE, counter)
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = selectors.labelled(page.object_list)
    kpi = releases.form.cleaned_data.get("kpi") if releases.form.is_valid() else ""
    return render(
        request,
        "releases/release_list.html",
        {
            "filter": releases,
            "selects": [
                (label, name, choice_options(releases.form[name]), releases.form[name].errors)
                for label, name in (("Stage", "stage"), ("Type", "release_type"))
            ],
            # the figure of the KPI page this list shows the releases of, kept by the filters
            "kpi_label": KPI_FILTERS[kpi][0] if kpi else "",
            "kpi_hidden": [
                (name, request.GET[name])
                for name in ("kpi", "kpi_from", "kpi_to", "thread")
                if request.GET.get(name) and releases.form.is_valid()
            ],
            "page": page,
            "export_query": _export_query(request),
            "may_formalise": raci.may_formalise(request.user),
        },
    )


def _export_format(request) -> str:
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404("Export as csv or xlsx.")
    return fmt


def _export_query(request) -> str:
    """The page's filters, for its export links."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("format", None)
    return query.urlencode()


@login_required
@require_GET
def release_export(request):
    """The release list as CSV (streamed) or XLSX: the page's filters, the user's
    releases only."""
    fmt = _export_format(request)
    queryset = selectors.release_list(
        request.user, Release.objects.order_by("planned_installation_date", "identifier")
    )
    return export_releases(ReleaseFilter(request.GET, queryset=queryset).qs, fmt)


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


def _records(user, release, assignments, held=None) -> list:
    """The release's activity records, each with who is R and A for it by Table 4-1,
    who holds that party on the release (RM.1.2) and the user's own letters (from the
    parties they hold on it, ``held`` when read already)."""
    parties, _, cells = matrix.matrix()
    names = {p.id: p.short_name for p in parties}
    if held is None:
        held = raci.parties_on_release(user, release)
    mine = matrix.letters_for(held, cells)
    records = list(
        release.activity_records.select_related("activity", "performed_by", "deputy_of").order_by(
            "activity__position"
        )
    )
    rows = {}
    for (aid, pid), letters in cells.items():
        rows.setdefault(aid, {})[pid] = letters
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
    return records


@login_required
def release_detail(request, identifier):
    """The release page: where it stands, what is next and who holds what. Its record
    (activities, decisions, documents, communications, audit trail) comes from
    ``release_record`` once the page is shown, so that the page answers first. Its own
    part is kept until a row it shows changes (``selectors.release_version``): a
    write to another release does not make it again (issue 17)."""
    release = selectors.visible_release_or_404(request.user, identifier)
    page = kept_part(
        request,
        "release",
        version=lambda: selectors.release_version(request.user, release),
        make=lambda: _release_part(request, release),
    )
    return render(request, "releases/release_detail.html", {"release": release, "page": page})


def _release_part(request, release) -> str:
    """The release page's own part, below the layout."""
    assignments = list(release.assignments.select_related("party", "user", "group"))
    held = raci.parties_on_release(request.user, release)
    records = _records(request.user, release, assignments, held)
    # the records and the plan read once, for every part of the page that asks
    planned = _plan_context(release, records)
    plan = planned["plan"]
    context = {
        "release": release,
        "stage_bar": _stage_bar(release),
        "next_steps": with_due_dates(
            (
                r
                for r in records
                if r.status == r.Status.PENDING and r.activity.stage == release.stage_number
            ),
            milestones={release.pk: {m.kind: m for m in plan}},
        ),
        "assignments": assignments,
        "may_revise": raci.may_perform(request.user, release, "RM.1.1") and release.is_open,
        "may_assign": raci.may_perform(request.user, release, "RM.1.2") and release.is_open,
        "transitions": selectors.manual_transitions(request.user, release, records),
        "mass_notification_link": raci.follows_mass_notifications(request.user, release, held)
        and selectors.notification_requested(release),
        **planned,
        "may_plan": release.is_open and bool(planning.plannable_kinds(request.user, release)),
        "path": selectors.release_path(release, request.user, records=records, plan=plan),
    }
    # written by Jinja2, which escapes what it writes as Django's language does: the page
    # in Django's language took 9 of its 45 ms to write at 10,000 releases (issue 17)
    return mark_safe(render_to_string("releases/_release.jinja", context, request, using="jinja2"))


@require_GET
@login_required
def release_record(request, identifier):
    """The release page's record: every activity by stage, the decisions, the documents,
    the communications and the newest audit entries. htmx asks for it once the page is
    shown (issue 17: the release page made 49 -> 37 ms without its record); without
    htmx it is a page of its own, linked from where it goes. Kept until a row it shows
    changes, as the page's own part is."""
    release = selectors.visible_release_or_404(request.user, identifier)
    record = kept_part(
        request,
        "record",
        version=lambda: selectors.record_version(request.user, release),
        make=lambda: _record_part(request, release),
        has_forms=False,
    )
    if request.htmx:
        return HttpResponse(record)
    return render(request, "releases/record.html", {"release": release, "record": record})


def _record_part(request, release) -> str:
    """The release page's record, kept until a row it shows changes
    (``selectors.record_version``)."""
    assignments = release.assignments.select_related("user", "group")
    records = _records(request.user, release, assignments)
    context = {
        "release": release,
        "stages": _by_stage(records, release),
        "files": release_files(release),
        "audit": selectors.audit_trail(release, limit=AUDIT_SHOWN),
        **selectors.release_evidence(release),
    }
    # Jinja2 escapes what it writes, as Django's language does (``releasemgmt.jinja``)
    return mark_safe(render_to_string("releases/_record.jinja", context, request, using="jinja2"))


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
        # the threads named so far, or else the application's default ones
        "business_threads": [a.party for a in current.values() if a.party.kind == "business_thread"]
        or list(release.application.business_threads.all()),
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
        request,
        "releases/schedule.html",
        {"page": page.get_page(request.GET.get("page")), "export_query": _export_query(request)},
    )


@login_required
@require_GET
def schedule_export(request):
    """The release schedule as CSV (streamed) or XLSX, narrowed by the release list's
    filters when given: the published releases the user may see."""
    fmt = _export_format(request)
    releases = selectors.release_list(
        request.user, Release.objects.filter(published_at__isnull=False)
    ).order_by("planned_installation_date", "identifier")
    return export_releases(ReleaseFilter(request.GET, queryset=releases).qs, fmt, schedule=True)


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
    record = release.activity_records.select_related("activity", "performed_by", "deputy_of").get(
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
                form,
                lambda data: registry.perform(chosen, release, by=request.user, data=data),
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
            "waiver": _waiver(release, record, may_perform),
            **spec.records(release, request.user),
        },
        status=status,
    )


def _waiver(release, record, may_perform, form=None) -> dict:
    """What the activity page offers of the release type's path: waive the activity (the
    type may, it is pending, its stage not passed), or catch it up once installed. Both
    reads are made whatever the state, so that the page's queries stay the same."""
    type_may = types.may_waive(release, record.activity.code)
    installed = types.installed(release)
    waivable = (
        type_may
        and release.is_open
        and record.status == record.Status.PENDING
        and release.stage_number is not None
        and release.stage_number <= record.activity.stage
    )
    owed = record.status == record.Status.WAIVED and release.is_open and installed
    return {
        "waivable": waivable,
        "owed": owed,
        "may": may_perform,
        "form": form or (WaiveForm(release=release) if waivable else CatchUpForm(release=release)),
    }


def _path_form(request, identifier, code, form_class, perform, success):
    """Waive or catch up an activity from its page (POST); a refusal shows the page again
    with the reason and what was typed."""
    release = selectors.visible_release_or_404(request.user, identifier)
    record = get_object_or_404(
        release.activity_records.select_related("activity", "performed_by", "deputy_of"),
        activity__code=code,
    )
    form = form_class(posted(request)[0], release=release)
    _, status = run_form(form, lambda data: perform(release, code, by=request.user, **data))
    if status is None:
        messages.success(request, success.format(code=code))
        return redirect("releases:activity", identifier=identifier, code=code)
    spec = registry.find(code)
    may_perform = raci.may_perform(request.user, release, code)
    return render(
        request,
        "releases/activity.html",
        {
            "release": release,
            "activity": record.activity,
            "record": record,
            "spec": spec,
            "form": None,
            "actions": [],
            "may_perform": may_perform,
            "waiver": _waiver(release, record, may_perform, form=form)
            | {"waivable": form_class is WaiveForm, "owed": form_class is CatchUpForm},
            **(spec.records(release, request.user) if spec else {}),
        },
        status=status,
    )


@login_required
@require_POST
def waive(request, identifier, code):
    """Waive an activity the release's type may waive, with a reason (issue 12 point 5)."""
    return _path_form(
        request, identifier, code, WaiveForm, waivers.waive_activity, "{code} waived."
    )


@login_required
@require_POST
def catch_up(request, identifier, code):
    """Catch up a waived activity once the release is installed."""
    return _path_form(
        request, identifier, code, CatchUpForm, waivers.catch_up_activity, "{code} caught up."
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


# --- the dated plan: milestones (RM.1.1, RM.1.4) --------------------------------------


def _plan_context(release, records=None) -> dict:
    plan = selectors.release_plan(release, records)
    return {"plan": plan, "replans": selectors.replans(plan)}


def _replanning(plan, kind) -> dict:
    """The form's first values when a milestone's "re-plan" link names it: its window."""
    milestone = next((m for m in plan if m.kind == kind), None)
    if milestone is None:
        return {"kind": kind} if kind in Milestone.Kind.values else {}
    return {"kind": kind, "starts_at": milestone.starts_at, "ends_at": milestone.ends_at}


@login_required
def milestones(request, identifier):
    """The release's plan: each milestone's window, its baseline (RM.1.4), its actual
    date and slippage, the re-plans with their reasons, and the form to plan one for
    those who may (``planning.plan_milestone`` decides which). A refused form comes back
    with what was typed."""
    release = selectors.visible_release_or_404(request.user, identifier)
    context = _plan_context(release)
    kinds = planning.plannable_kinds(request.user, release)
    initial = _replanning(context["plan"], request.GET.get("kind", ""))
    form = MilestoneForm(posted(request)[0], release=release, initial=initial)
    status = None
    if request.method == "POST":
        milestone, status = run_form(
            form,
            lambda data: planning.plan_milestone(
                release,
                data["kind"],
                by=request.user,
                starts_at=data["starts_at"],
                ends_at=data["ends_at"],
                reason=data["reason"],
            ),
        )
        if status is None:
            messages.success(request, f"{milestone.get_kind_display()} planned.")
            return redirect("releases:milestones", identifier=identifier)
    return render(
        request,
        "releases/milestones.html",
        {
            "release": release,
            **context,
            "form": form if (kinds and release.is_open) or form.is_bound else None,
            "kinds": [Milestone.Kind(k).label for k in kinds],
        },
        status=status,
    )


# --- blackout and maintenance windows --------------------------------------------------

WINDOWS_PER_PAGE = 50
MANAGED_BY = "Only an ITSM Release Manager manages blackout and maintenance windows."


def _require_manager(user) -> None:
    if not raci.may_formalise(user):
        raise PermissionDenied(MANAGED_BY)


@login_required
def window_list(request):
    """Every blackout and maintenance window, the ones to come first, filtered by kind
    and application; a weekly window with its rule and its next times. Anyone logged in
    reads them; the release manager manages them."""
    windows = WindowFilter(request.GET, queryset=selectors.window_list())
    page = Paginator(windows.qs, WINDOWS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for window in page.object_list:
        window.rule = selectors.window_rule(window)
        window.next = selectors.next_times(window, now)
        window.holds_for = selectors.holds_for(window)
    return render(
        request,
        "releases/windows.html",
        {"filter": windows, "page": page, "may_manage": raci.may_formalise(request.user)},
    )


def _window_form(request, form, perform, *, title, window=None):
    status = None
    if request.method == "POST":
        saved, status = run_form(form, perform)
        if status is None:
            messages.success(request, f"{saved.get_kind_display()} '{saved.title}' saved.")
            return redirect("windows:list")
    context = {"form": form, "title": title, "window": window}
    return render(request, "releases/window_form.html", context, status=status)


@login_required
def window_create(request):
    """A new blackout or maintenance window (the release manager)."""
    _require_manager(request.user)
    return _window_form(
        request,
        WindowForm(posted(request)[0]),
        lambda data: planning.save_window(by=request.user, **data),
        title="New window",
    )


@login_required
def window_edit(request, pk):
    """Change a window (the release manager); the conflicts follow at once."""
    _require_manager(request.user)
    window = get_object_or_404(Window, pk=pk)
    return _window_form(
        request,
        WindowForm(posted(request)[0], window=window),
        lambda data: planning.save_window(window, by=request.user, **data),
        title=f"Edit {window}",
        window=window,
    )


@login_required
def window_delete(request, pk):
    """Remove a window, once confirmed (POST); the removal is audited."""
    _require_manager(request.user)
    window = get_object_or_404(
        Window.objects.select_related("application", "business_thread"), pk=pk
    )
    form = GuardedForm(posted(request)[0])
    status = None
    if request.method == "POST":
        _, status = run_form(form, lambda data: planning.remove_window(window, by=request.user))
        if status is None:
            messages.success(request, f"{window} removed.")
            return redirect("windows:list")
    window.rule, window.holds_for = selectors.window_rule(window), selectors.holds_for(window)
    context = {"window": window, "form": form}
    return render(request, "releases/window_delete.html", context, status=status)


# --- release policies per application (issue 12 point 7) ------------------------------


@login_required
def policy_list(request):
    """Every application with its release policy; anyone logged in reads them, the
    release manager and the process owner set them."""
    applications = selectors.policy_list()
    return render(
        request,
        "releases/policies.html",
        {
            "applications": applications,
            "may_manage": raci.may_manage_policies(request.user),
            "types": dict(ReleaseType.choices),
        },
    )


@login_required
def policy_edit(request, code):
    """Set an application's release policy (the release manager or the process owner)."""
    if not raci.may_manage_policies(request.user):
        raise PermissionDenied("Only an ITSM Release Manager or a process owner sets a policy.")
    application = get_object_or_404(Application, code=code)
    current = policy.policy_of(application)
    form = PolicyForm(posted(request)[0], application=application, policy=current)
    status = None
    if request.method == "POST":
        _, status = run_form(
            form, lambda data: policy.save_policy(application, by=request.user, **data)
        )
        if status is None:
            messages.success(request, f"Release policy of {application.code.upper()} saved.")
            return redirect("policies:list")
    return render(
        request,
        "releases/policy_form.html",
        {"form": form, "application": application, "policy": current},
        status=status,
    )
