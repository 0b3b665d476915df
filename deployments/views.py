"""Activity pages, decisions, stage transitions and what waits for a business thread."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from raci import services as raci
from raci.models import Activity
from releasemgmt.errors import Conflict
from releasemgmt.forms import posted
from releases import selectors as release_selectors
from releases.views import apply_errors

from . import selectors, services
from .activities import ACTIONS, ACTIVITIES, actions_for
from .forms import DecisionForm
from .models import Decision, DeploymentTask


def _run(request, form, perform) -> int | None:
    """Call the service with the form's data; errors come back on the form. Returns the
    HTTP status to answer with when it failed (400 bad input, 409 conflict)."""
    if not form.is_valid():
        return 400
    try:
        perform(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return 400
    except Conflict as exc:
        form.add_error(None, exc.message)
        return 409
    return None


@login_required
def activity_page(request, identifier, code):
    """One activity of one release: what the process says, who is R/A, what was recorded,
    and the form to perform it for those who may."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    if code == "RM.1.2":
        return redirect("releases:assign_roles", identifier=identifier)
    step = ACTIVITIES.get(code)
    if step is None and code != "RM.1.1":
        raise Http404("No such activity.")
    may_perform = raci.may_perform(request.user, release, code)
    held = raci.parties_on_release(request.user, release)
    record = release.activity_records.select_related("activity", "performed_by").get(
        activity__code=code
    )
    # Extra actions while the activity is open, for its R/A (CT reports also for the
    # campaign coordinator, who is consulted on RM.7.2).
    campaign = any(p.name == services.CAMPAIGN for p in held)
    pending = record.status == "pending" or code == "RM.1.1"
    may_act = release.is_open and (may_perform or (code == "RM.7.2" and campaign))
    actions = actions_for(code, pending=pending) if may_act else {}
    if (
        code == "RM.3.1"
        and release.is_open
        and DeploymentTask.objects.filter(
            plan__release=release, assignee=request.user, status=DeploymentTask.Status.OPEN
        ).exists()
    ):  # assignees mark their own tasks done
        actions["complete-task"] = ACTIONS["complete-task"]
    forms = ({"": step.form(release=release)} if step else {}) | {
        slug: a.form(release=release) for slug, a in actions.items()
    }
    status = 200
    if request.method == "POST":
        slug = request.POST.get("action", "")
        chosen = actions.get(slug) if slug else step
        if chosen is None and not slug:
            raise Http404("This activity is performed on its own form.")
        if chosen is None:
            raise Http404("No such action open on this activity.")
        if not slug:
            raci.require_perform(request.user, release, code)
        form = chosen.form(request.POST, request.FILES, release=release)
        forms[slug] = form
        failed = _run(request, form, lambda data: chosen.perform(release, by=request.user, **data))
        if failed is None:
            messages.success(request, f"{chosen.label}: done.")
            return redirect("deployments:activity", identifier=identifier, code=code)
        status = failed
    return render(
        request,
        "deployments/activity.html",
        {
            "release": release,
            "activity": Activity.objects.get(code=code),
            "record": record,
            "step": step,
            "form": forms.get(""),
            "actions": [(slug, a, forms[slug]) for slug, a in actions.items()],
            "may_perform": may_perform,
            "may_decide": may_perform or any(p.kind == p.Kind.BUSINESS_THREAD for p in held),
            **selectors.activity_records(release, code),
        },
        status=status,
    )


@login_required
def decide(request, identifier, kind):
    """A business thread's decision (or one recorded on its behalf, with evidence)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    if kind not in Decision.Kind.values:
        raise Http404("No such decision.")
    own = [
        p
        for p in raci.parties_on_release(request.user, release)
        if p.kind == p.Kind.BUSINESS_THREAD
    ]
    threads = None
    if own:
        from raci.models import Party

        threads = Party.objects.filter(pk__in=[p.pk for p in own])
    form = DecisionForm(*posted(request), release=release, threads=threads)
    status = 200
    if request.method == "POST":
        failed = _run(
            request,
            form,
            lambda data: services.record_decision(release, by=request.user, kind=kind, **data),
        )
        if failed is None:
            messages.success(request, "Decision recorded.")
            code = services.DECISION_ACTIVITY[kind]
            return redirect("deployments:activity", identifier=identifier, code=code)
        status = failed
    field, basis = services.decision_basis(release, kind)
    return render(
        request,
        "deployments/decide.html",
        {
            "release": release,
            "form": form,
            "kind": Decision.Kind(kind),
            "basis": basis,
            "code": services.DECISION_ACTIVITY[kind],
            "pending": services.pending_threads(release, kind),
        },
        status=status,
    )


@login_required
@require_POST
def transition(request, identifier, name):
    """A stage transition asked for by hand (cancel, corrected delivery, re-authorise...)."""
    from releases import services as release_services

    release = release_selectors.visible_release_or_404(request.user, identifier)
    try:
        release_services.fire_transition(
            release, name, by=request.user, reason=request.POST.get("reason", "")
        )
    except (Conflict, ValidationError) as exc:
        messages.error(request, getattr(exc, "message", None) or " ".join(exc.messages))
    else:
        messages.success(request, f"{release.identifier}: {name.replace('_', ' ')} done.")
    return redirect("releases:detail", identifier=identifier)


@login_required
def approvals(request):
    """What waits for the user's business thread(s): decisions, approvals, authorisations."""
    return render(
        request, "deployments/approvals.html", {"owed": selectors.owed_decisions(request.user)}
    )
