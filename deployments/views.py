"""The business threads' decisions and the service desk's mass notifications (the
activity pages themselves are built from the registry by ``releases``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from dsl import selectors as cmdb_read
from dsl.subscribers import require_service_desk
from raci import permissions as raci
from raci.models import Party
from releasemgmt.web import posted, run_form
from releases import selectors as release_selectors

from . import selectors
from .forms import CompareRevisionsForm, DecisionForm, MassNotificationForm, PlanRevisionForm
from .models import DECISION_ACTIVITY, Decision, DeploymentPlan, MassNotification
from .plan_content import ITEMS, compare, missing_items, phases_as_text, risks_as_text
from .services import decisions, mass_notifications, planning


@login_required
def decide(request, identifier, kind):
    """A business thread's decision (or one recorded on its behalf, with evidence). A
    refusal comes back on the form, with what was typed."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    if kind not in Decision.Kind.values:
        raise Http404("No such decision.")
    own = raci.threads_on_release(request.user, release)
    threads = Party.objects.filter(pk__in=[p.pk for p in own]) if own else None
    form = DecisionForm(*posted(request), release=release, threads=threads, kind=kind)
    status, confirming = None, False
    if request.method == "POST":
        confirming = _nogo_needs_confirmation(request, form, kind)
        if not confirming:
            decision, status = run_form(
                form,
                lambda data: decisions.record_decision(release, by=request.user, kind=kind, **data),
            )
        if not confirming and status is None:
            messages.success(request, _what_happened(decision))
            code = DECISION_ACTIVITY[kind]
            return redirect("releases:activity", identifier=identifier, code=code)
    field, basis = decisions.decision_basis(release, kind)
    return render(
        request,
        "deployments/decide.html",
        {
            "release": release,
            "form": form,
            "kind": Decision.Kind(kind),
            "basis": basis,
            "code": DECISION_ACTIVITY[kind],
            "pending": decisions.pending_threads(release, kind),
            "confirming": confirming,
            "sends_back": kind in (Decision.Kind.PSAT, Decision.Kind.SAT),
        },
        status=status,
    )


def _nogo_needs_confirmation(request, form, kind) -> bool:
    """A NOGO after pSAT or SAT acts at once, whatever the other threads decide: the page
    says so and asks again before recording it."""
    return (
        kind in (Decision.Kind.PSAT, Decision.Kind.SAT)
        and request.POST.get("verdict") == Decision.Verdict.NOGO
        and request.POST.get("confirmed") != "yes"
        and form.is_valid()
    )


def _what_happened(decision) -> str:
    """The flash after a decision: what it did to the release."""
    if decision.consequence == Decision.Consequence.CANCEL:
        return f"NOGO recorded: {decision.release.identifier} is cancelled."
    if decision.consequence == Decision.Consequence.CORRECTED_DELIVERY:
        return (
            f"NOGO recorded: {decision.release.identifier} went back to RM.2 for a "
            "corrected delivery."
        )
    return f"Decision recorded: {decision.verdict_label}."


@login_required
def mass_notification(request, identifier):
    """The service desk's page for a release's mass e-mails: what the deployment
    coordinator asked for in this round and what is sent, the preview, count and form
    for a moment asked for and not sent yet, and the progress of each one sent."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    moments = selectors.mass_moments(release)
    offered = [m["moment"] for m in moments if m["to_send"]]
    may_send = raci.may_send_mass_notifications(request.user)
    moment = request.GET.get("moment")
    if moment not in offered:
        moment = offered[0] if offered else None
    initial = {}
    if moment:
        subject, body = mass_notifications.default_message(release, moment)
        initial = {"moment": moment, "subject": subject, "body": body}
    data, _ = posted(request)
    form = MassNotificationForm(data, initial=initial, offered=offered, release=release)
    status = None
    if request.method == "POST":
        require_service_desk(request.user)
        sent, status = run_form(
            form,
            lambda data: mass_notifications.send_mass_notification(
                release, by=request.user, **data
            ),
        )
        if sent:
            # Sent at once without a worker, in the background with one: the progress
            # below says which, so this says neither.
            messages.success(request, "Mass notification recorded: its progress is below.")
            return redirect("deployments:mass", identifier=identifier)
    return render(
        request,
        "deployments/mass.html",
        {
            "release": release,
            "form": form,
            "moments": moments,
            "offered": offered,
            "audience": release.application.subscribers.count(),
            "sent": release.mass_notifications.all(),
            "may_send": may_send,
            "may_see_subscribers": raci.may_see_subscribers(request.user),
        },
        status=status,
    )


@login_required
def mass_progress(request, pk):
    """The progress bar (polled by htmx until done). The refused addresses are personal
    data: listed only to those who may see the subscribers."""
    notification = get_object_or_404(MassNotification, pk=pk)
    release_selectors.visible_release_or_404(request.user, notification.release.identifier)
    return render(
        request,
        "deployments/_progress.html",
        {"n": notification, "may_see_subscribers": raci.may_see_subscribers(request.user)},
    )


@login_required
@require_GET
def release_conflicts(request, identifier):
    """RM.1.4: the conflicts of the release's installation, each with its acknowledgement,
    and for those who may perform RM.1.4 the form to acknowledge one (posted to the
    activity's page, where a refusal comes back with what was typed).

    The rules (``deployments.conflicts``) read the change schedule, so they sit in this
    room, above ``releases``, which may not import them. The release page (a view of
    ``releases``) therefore shows an empty section that htmx fills from here once the
    page is shown: the layers hold, and the page keeps its fixed number of queries
    however many windows, releases and changes the rules read. Without htmx the link in
    that section opens this view as a page of its own."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    context = {
        "release": release,
        "on_release_page": True,
        **selectors.conflict_records(release, request.user),
    }
    if request.htmx:
        return render(request, "deployments/activities/_conflicts.html", context)
    return render(request, "deployments/conflicts.html", context)


# --- the living deployment plan (RM.1.3 to RM.6.7) ---------------------------------------


def _plan_or_404(release):
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is None:
        raise Http404("No deployment plan yet (RM.1.3).")
    return plan


@login_required
@require_GET
def deployment_plan(request, identifier):
    """The deployment plan as it stands: the items of BS 15000-2 9.3 and what is missing
    of them (RM.1.4 publishes only a complete plan), the risks, the phases with their
    installation, the tasks and every revision, with the pair to compare. Read-only for
    whoever may see the release; the holders of the plan (RM.1.3, RM.3.1, RM.6.7) revise
    it. The release page (a view of ``releases``, which may not read this room) shows it
    as a section that htmx fills from here, as it does the conflicts."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    context = {"release": release, **selectors.plan_records(release, request.user)}
    if request.htmx:
        return render(request, "deployments/_plan_section.html", context)
    return render(request, "deployments/plan.html", context)


@login_required
@require_GET
def configuration(request, identifier):
    """The release's configuration: production's baseline recorded at RM.6.5, the
    previous one the rollback plan goes back to, and RM.6.7's comparison of production
    with the DSL (with any deviation accepted) and the configuration manager's task. The
    release page shows it as a section that htmx fills from here."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    context = {
        "release": release,
        **selectors.closure_records(release, request.user),
        **cmdb_read.baseline_records(release),
    }
    if request.htmx:
        return render(request, "deployments/_configuration.html", context)
    return render(request, "deployments/configuration.html", context)


@login_required
def revise_plan(request, identifier):
    """A revision of the deployment plan, with its reason: the form starts from the plan
    as it stands; a refusal comes back with what was typed."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    if not raci.may_revise_deployment_plan(request.user, release):
        raise PermissionDenied(raci.why_not_perform(release, "RM.3.1"))
    plan = _plan_or_404(release)
    current = plan.revisions.order_by("-number").first()
    initial = {
        "option": plan.option,
        "summary": plan.summary,
        "risks": risks_as_text(plan.risks.all()),
        "phases": phases_as_text(plan.phases.all()),
        "based_on": current.number if current else None,
        **{item.slug: (plan.items or {}).get(item.slug, "") for item in ITEMS},
    }
    data, _ = posted(request)
    form = PlanRevisionForm(data, initial=initial, release=release)
    status = None
    if request.method == "POST":
        revision, status = run_form(
            form,
            lambda data: planning.revise_deployment_plan(release, by=request.user, **data),
        )
        if status is None:
            messages.success(request, f"Revision {revision.number} of the deployment plan kept.")
            url = reverse("deployments:compare_plan", args=[identifier])
            return redirect(f"{url}?from={revision.number - 1}&to={revision.number}")
    return render(
        request,
        "deployments/plan_revise.html",
        {
            "release": release,
            "form": form,
            "plan": plan,
            "missing_items": missing_items(plan),
            "current": current,
        },
        status=status,
    )


@login_required
@require_GET
def compare_plan(request, identifier):
    """What changed between two revisions of the plan, field by field and row by row
    (``from`` and ``to``, revision numbers; by default the last two)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    plan = _plan_or_404(release)
    form = CompareRevisionsForm(request.GET or None)
    numbers = list(plan.revisions.order_by("number").values_list("number", flat=True))
    status, changes, first, second = None, None, None, None
    if request.GET and not form.is_valid():
        status = 400
    else:
        low = form.cleaned_data.get("from") if request.GET else None
        high = form.cleaned_data.get("to") if request.GET else None
        low = low or (numbers[-2] if len(numbers) > 1 else numbers[0] if numbers else None)
        high = high or (numbers[-1] if numbers else None)
        first, second = selectors.revision_pair(plan, low, high)
        if first is None or second is None:
            form.add_error(None, "Choose two revisions of this plan.")
            status = 400
        else:
            changes = compare(first.content, second.content)
    return render(
        request,
        "deployments/plan_compare.html",
        {
            "release": release,
            "form": form,
            "numbers": numbers,
            "first": first,
            "second": second,
            "changes": changes,
        },
        status=status,
    )
