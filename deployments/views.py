"""The business threads' decisions and the service desk's mass notifications (the
activity pages themselves are built from the registry by ``releases``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET

from dsl.subscribers import require_service_desk
from raci import permissions as raci
from raci.models import Party
from releasemgmt.web import posted, run_form
from releases import selectors as release_selectors

from . import selectors
from .forms import DecisionForm, MassNotificationForm
from .models import DECISION_ACTIVITY, Decision, MassNotification
from .services import decisions, mass_notifications


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
