"""Change management's pages (seed 003): the change manager's start page, the RfC list,
an RfC's registration, page and steps, the CAB's meetings and the change schedule.
Thin: a form parses, ``changes.services`` decides, ``changes.selectors`` reads; a refused
form comes back with what was typed and the reason (``releasemgmt.web.run_form``)."""

import datetime
from typing import NamedTuple

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from raci import permissions
from releasemgmt.errors import Conflict
from releasemgmt.exports import FORMATS
from releasemgmt.forms import GuardedForm
from releasemgmt.paging import CountedApart, Walked
from releasemgmt.web import CONFLICT, posted, run_form
from releases.downloads import file_response

from . import risk, selectors, services
from .exports import export_schedule
from .forms import (
    AdviceForm,
    AgendaForm,
    AssessForm,
    AttachmentForm,
    DecisionForm,
    MeetingForm,
    MinutesForm,
    ReviewForm,
    RfCFilterForm,
    RfCForm,
    ScheduleFilterForm,
    StepForm,
)
from .models import Review, RfC, RfCAttachment

#: steps that end the request for good: the page asks before taking them
FINAL_STEPS = {"withdraw", "cancel"}
RFCS_PER_PAGE = 50
MEETINGS_PER_PAGE = 50
#: an agenda is read a page at a time: a backlog of hundreds stays one page's cost
AGENDA_PER_PAGE = 25
_DAY = datetime.timedelta(days=1)


# --- the start page ---------------------------------------------------------------------


@login_required
def start(request):
    """What waits for the change manager (RfCs to assess, awaiting the CAB, the next
    CAB, reviews owed, RfCs whose release is in trouble); for anyone else their own
    requests and the boards they sit on."""
    user = request.user
    manager = permissions.may_manage_changes(user)
    upcoming = selectors.meetings(user).filter(starts_at__gte=timezone.now() - _DAY)
    context = {
        "manager": manager,
        "may_raise": permissions.may_raise_rfc(user),
        "boards": list(upcoming.order_by("starts_at", "id")[:10]),
    }
    if manager:
        context["work"] = selectors.change_manager_work(user)
    else:
        context["mine"] = selectors.briefs(selectors.rfc_list(user).filter(requester=user), 20)
    return render(request, "changes/start.html", context)


# --- requests for change ----------------------------------------------------------------


@login_required
def rfc_list(request):
    """Every RfC the user may see, newest first, filtered and searched; a fixed number of
    queries whatever the page holds."""
    form = RfCFilterForm(request.GET)
    filters = form.filters()
    keys = selectors.rfc_keys(request.user, **filters)
    page = Walked(keys, RFCS_PER_PAGE, selectors.rfc_rows).get_page(request.GET.get("page"))
    return render(
        request,
        "changes/rfc_list.html",
        {"form": form, "page": page, "may_raise": permissions.may_raise_rfc(request.user)},
    )


@login_required
def raise_rfc(request):
    """Seed 003, create and record a request: saved as a draft of its requester."""
    if not permissions.may_raise_rfc(request.user):
        raise PermissionDenied("ITSM staff and DG TAXUD business threads raise RfCs.")
    form = RfCForm(posted(request)[0])
    status = None
    if request.method == "POST":
        rfc, status = run_form(
            form, lambda data: services.raise_rfc(by=request.user, **form.values())
        )
        if status is None:
            messages.success(request, f"{rfc.reference} recorded as a draft: submit it when ready.")
            return redirect("changes:rfc", reference=rfc.reference)
    return render(
        request, "changes/rfc_form.html", {"form": form, "title": "Raise an RfC"}, status=status
    )


@login_required
def revise_rfc(request, reference):
    """Edit a request before it is decided: its requester while it is a draft, the
    change manager until the change authority decides."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    if not permissions.may_edit_rfc(request.user, rfc):
        raise PermissionDenied(
            "Its requester edits a draft; the change manager edits it until it is decided."
        )
    form = RfCForm(posted(request)[0], rfc=rfc)
    status = None
    if request.method == "POST":
        _, status = run_form(
            form, lambda data: services.revise_rfc(rfc, by=request.user, **form.values())
        )
        if status is None:
            messages.success(request, f"{rfc.reference} saved.")
            return redirect("changes:rfc", reference=rfc.reference)
    context = {"form": form, "rfc": rfc, "title": f"Edit {rfc.reference}"}
    return render(request, "changes/rfc_form.html", context, status=status)


def _answers(rfc) -> list[tuple[str, str]]:
    """The risk questions with the answer given (or none yet)."""
    given = rfc.risk_answers or {}
    return [(q.text, dict(q.choices).get(given.get(q.key), "")) for q in risk.QUESTIONS]


def _rfc_page(request, rfc, *, failed=None, attach_form=None, status=None):
    """The RfC page; ``failed`` is a step whose form came back refused (its name, form
    and what the request lacks), ``attach_form`` an upload that did."""
    user = request.user
    manager = permissions.may_manage_changes(user)
    applications = list(rfc.applications.all())
    conflicts, hidden_conflicts = selectors.conflicts_of_seen_by(
        user, rfc, [a.pk for a in applications]
    )
    steps = []
    for name, step in services.offered_steps(user, rfc):
        form = _step_form(rfc, name, step)
        if failed and failed["name"] == name:
            form = failed["form"]
        steps.append({"name": name, "step": step, "form": form, "final": name in FINAL_STEPS})
    review = Review.objects.filter(rfc=rfc).select_related("reviewed_by").first()
    may_attach = (user.pk == rfc.requester_id or manager) and rfc.status not in (
        RfC.Status.CLOSED,
        RfC.Status.CANCELLED,
        RfC.Status.WITHDRAWN,
    )
    context = {
        "rfc": rfc,
        "applications": applications,
        "answers": _answers(rfc),
        "conflicts": conflicts,
        "hidden_conflicts": hidden_conflicts,
        "missing": services.missing_for_submission(rfc) if rfc.status == RfC.Status.DRAFT else [],
        "steps": steps,
        "failed": failed,
        "may_edit": permissions.may_edit_rfc(user, rfc),
        "may_review": manager and rfc.status == RfC.Status.IMPLEMENTED and review is None,
        "review": review,
        "attachments": list(rfc.attachments.select_related("uploaded_by")),
        "attach_form": attach_form or (AttachmentForm() if may_attach else None),
        # the form that came back refused, wherever the page shows it
        "refused": attach_form or (failed or {}).get("form"),
    }
    return render(request, "changes/rfc_detail.html", context, status=status)


def _step_form(rfc, name, step, data=None):
    """The form of one step; ids of its own, as the page holds several."""
    if name == "assess":
        return AssessForm(data, step=step, rfc=rfc, auto_id=f"{name}-%s")
    return StepForm(data, step=step, auto_id=f"{name}-%s")


@login_required
def rfc_page(request, reference):
    """One request: every field, its risk and priority, its conflicts, its review and
    documents, and the steps the user may take; the CAB's advice and decisions and the
    history follow (``rfc_record``)."""
    return _rfc_page(request, selectors.visible_rfc_or_404(request.user, reference))


@require_GET
@login_required
def rfc_record(request, reference):
    """The RfC page's record: the CAB's agenda, advice and decisions, and the history.
    htmx asks for it once the page is shown and puts the history in its own place
    (issue 17: four reads and their rows were a quarter of the page's time at 100,000
    releases); without htmx it is a page of its own, linked from where it goes."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    context = {
        "rfc": rfc,
        "apart": bool(request.htmx),
        "agenda": list(rfc.agenda_items.select_related("meeting").order_by("meeting__starts_at")),
        "advice": list(rfc.advice.select_related("member", "meeting")),
        "decisions": list(rfc.cab_decisions.select_related("decided_by", "meeting")),
        "history": list(selectors.history(rfc).select_related("actor")),
    }
    if request.htmx:
        return render(request, "changes/_rfc_record.html", context)
    return render(request, "changes/rfc_record.html", context)


@login_required
@require_POST
def fire_step(request, reference, name):
    """One step of the request's lifecycle (``services.STEPS``). Refused for the state
    or for what the request lacks: its page again, saying what is missing (409)."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    step = services.STEPS.get(name)
    if step is None:
        raise Http404("No such step.")
    if not services.may_fire(request.user, rfc, name):
        who = services.WHO[step.who]
        raise PermissionDenied(f"Only {who} may {step.label.lower()} {rfc.reference}.")
    form = _step_form(rfc, name, step, request.POST)
    if name in FINAL_STEPS and request.POST.get("confirmed") != "yes" and form.is_valid():
        failed = {"name": name, "form": form, "confirm": True, "label": step.label}
        return _rfc_page(request, rfc, failed=failed)
    missing = []

    def perform(data):
        try:
            if name == "assess":
                return _assess(rfc, request.user, form.answers())
            return services.fire(rfc, name, by=request.user, reason=data.get("reason", ""))
        except Conflict as exc:
            missing.extend(exc.missing)
            raise

    done, status = run_form(form, perform)
    if status is None:
        messages.success(
            request, f"{step.label}: done. {done.reference} is {done.get_status_display()}."
        )
        return redirect("changes:rfc", reference=done.reference)
    rfc.refresh_from_db()
    failed = {"name": name, "form": form, "missing": missing, "label": step.label}
    return _rfc_page(request, rfc, failed=failed, status=status)


def _assess(rfc, user, answers):
    """The answers recorded and the assessment taken as one: a refused assessment keeps
    the answers as they were."""
    with transaction.atomic():
        if answers != (rfc.risk_answers or {}):
            rfc = services.revise_rfc(rfc, by=user, risk_answers=answers)
        return services.fire(rfc, "assess", by=user)


@login_required
def record_review(request, reference):
    """Seed 004 section 8: the post-implementation review, by the change manager once
    the change is implemented."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    if not permissions.may_manage_changes(request.user):
        raise PermissionDenied("The change manager records the post-implementation review.")
    form = ReviewForm(posted(request)[0])
    status = None
    if request.method == "POST":
        _, status = run_form(
            form, lambda data: services.record_review(rfc, by=request.user, **data)
        )
        if status is None:
            messages.success(request, f"{rfc.reference}: review recorded.")
            return redirect("changes:rfc", reference=rfc.reference)
    elif rfc.status != RfC.Status.IMPLEMENTED:
        status = CONFLICT
    return render(request, "changes/review.html", {"rfc": rfc, "form": form}, status=status)


@login_required
@require_POST
def attach(request, reference):
    """A document of the request, by its requester or the change manager."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    form = AttachmentForm(*posted(request))
    record, status = run_form(
        form,
        lambda data: services.attach(
            rfc, by=request.user, uploaded=data["file"], title=data["title"]
        ),
    )
    if status is None:
        messages.success(request, f"{record.filename} attached to {rfc.reference}.")
        return redirect(f"{services.rfc_url(rfc)}#documents")
    return _rfc_page(request, rfc, attach_form=form, status=status)


@login_required
def attachment(request, reference, pk):
    """A document of a request the user may see (404 for anyone else, as for none)."""
    rfc = selectors.visible_rfc_or_404(request.user, reference)
    return file_response(get_object_or_404(RfCAttachment, rfc=rfc, pk=pk))


# --- the change schedule ------------------------------------------------------------------


def _moment(day, *, end=False):
    if day is None:
        return None
    moment = datetime.datetime.combine(day + _DAY if end else day, datetime.time())
    return timezone.make_aware(moment)


@login_required
def schedule(request):
    """The forward schedule of changes (seed 003): authorised and scheduled RfCs with
    their window and projected outage, each flagged when it overlaps another on one of
    its applications; fifty a page."""
    form, rows = _schedule(request)
    number = _page_number(request)
    offset = (number - 1) * selectors.SCHEDULE_PAGE
    # one more than a page: whether a later page exists, without counting them all
    rows = list(rows[offset : offset + selectors.SCHEDULE_PAGE + 1])
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    context = {
        "form": form,
        "slots": selectors.slots_of(request.user, rows[: selectors.SCHEDULE_PAGE]),
        "number": number,
        "later": len(rows) > selectors.SCHEDULE_PAGE,
        "export_query": query.urlencode(),
    }
    # a value the form refuses is shown on its field, the default window meanwhile
    status = 400 if form.errors else 200
    return render(request, "changes/schedule.html", context, status=status)


def _page_number(request, last=10_000) -> int:
    """``?page=`` as a number from 1 to ``last``; anything else is the first page."""
    given = request.GET.get("page", "")
    if not (given.isascii() and given.isdigit() and 0 < len(given) <= 6):
        return 1
    return min(max(int(given), 1), last)


def _schedule(request):
    """The filter form and the schedule's RfCs it selects."""
    form = ScheduleFilterForm(request.GET)
    form.is_valid()
    given = form.cleaned_data
    rows = selectors.schedule_rfcs(
        request.user,
        start=_moment(given.get("start")),
        end=_moment(given.get("end"), end=True),
        application=given.get("application"),
    )
    return form, rows


@login_required
@require_GET
def schedule_export(request):
    """The change schedule as CSV or XLSX, with the page's window and application (its
    first SCHEDULE_EXPORT_LIMIT changes)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in FORMATS:
        raise Http404("Export as csv or xlsx.")
    form, rows = _schedule(request)
    if form.errors:
        return render(request, "changes/schedule.html", {"form": form}, status=400)
    rows = list(rows[: selectors.SCHEDULE_EXPORT_LIMIT])
    return export_schedule(selectors.slots_of(request.user, rows), fmt)


# --- the change advisory board ----------------------------------------------------------


@login_required
def meetings(request):
    """The CAB's meetings: every one for the change managers and ITSM staff, those they
    sit on for the others."""
    rows = selectors.meetings(request.user).annotate(heard=Count("agenda", distinct=True))
    page = Paginator(rows, MEETINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "changes/meetings.html",
        {"page": page, "may_plan": permissions.may_manage_changes(request.user)},
    )


@login_required
def plan_meeting(request):
    """Call a CAB or an emergency CAB with its named members (the change manager)."""
    if not permissions.may_manage_changes(request.user):
        raise PermissionDenied("Only an ITSM Change Manager calls the CAB.")
    form = MeetingForm(posted(request)[0])
    status = None
    if request.method == "POST":
        meeting, status = run_form(
            form, lambda data: services.plan_meeting(by=request.user, **data)
        )
        if status is None:
            messages.success(request, f"{meeting} planned.")
            return redirect("changes:meeting", pk=meeting.pk)
    return render(request, "changes/meeting_form.html", {"form": form}, status=status)


#: stands for the RfC in the one blank advice (or decision) form rendered per page
_ANY_RFC = "RFC-ON-THE-AGENDA"


def _blank_form(request, meeting, kind, form_class):
    """The blank advice (or decision) form of the agenda, which is the same for every
    RfC but for its reference: rendered once for the page, and each RfC's copy made by
    putting its reference in (the widgets of 25 forms rendered one by one cost more than
    the rest of the page)."""
    form = form_class(initial={"rfc": _ANY_RFC}, auto_id=f"{kind}-{_ANY_RFC}-%s")
    html = _agenda_form(request, meeting, kind, form, _ANY_RFC)
    return lambda rfc: mark_safe(html.replace(_ANY_RFC, escape(rfc.reference)))


def _agenda_form(request, meeting, kind, form, reference) -> str:
    """The advice (or decision) form of one RfC on the agenda, written out."""
    return render_to_string(
        "changes/_agenda_form.html",
        {"form": form, "kind": kind, "reference": reference, "meeting": meeting},
        request=request,
    )


def _meeting_page(request, meeting, *, refused=None, status=None):
    """The meeting: its members, its agenda with each RfC's risk, window and conflicts,
    the advice given, the decision and the quorum, and its minutes. ``refused`` is a
    form that came back with errors, (what, form): shown in its place."""
    user = request.user
    manager = permissions.may_manage_changes(user)
    member = permissions.sits_on(user, meeting)
    is_open = meeting.minutes_sent_at is None
    members = list(meeting.members.select_related("user", "party"))
    page = _agenda_page(request, meeting, selectors.agenda_of(meeting))
    items = list(page.object_list)
    selectors.with_application_codes(item.rfc for item in items)
    advice, decisions = selectors.heard(meeting, [i.rfc_id for i in items])
    needed = services.quorum(meeting)
    what, form = refused or (None, None)
    posted_rfc = form.data.get("rfc") if form is not None else None
    placed = False
    advice_copy = _blank_form(request, meeting, "advice", AdviceForm) if member else None
    decision_copy = _blank_form(request, meeting, "decision", DecisionForm) if manager else None

    def in_place(kind, rfc):
        nonlocal placed
        if what == kind and (rfc is None or posted_rfc == rfc.reference):
            placed = True
            return form
        return None

    def written_in_place(kind, rfc):
        """The refused form in its RfC's place, written out as the agenda's rows take
        their forms (``_blank_form``)."""
        refused = in_place(kind, rfc)
        return (
            None
            if refused is None
            else _agenda_form(request, meeting, kind, refused, rfc.reference)
        )

    rows = []
    for item in items:
        rfc = item.rfc
        given = advice.get(rfc.pk, [])
        awaiting = rfc.status == RfC.Status.AWAITING_CAB and rfc.pk not in decisions
        mine = next((a for a in given if a.member_id == user.pk), None)
        advice_form = written_in_place("advice", rfc)
        if advice_form is None and member and awaiting and mine is None:
            advice_form = advice_copy(rfc)
        decision_form = written_in_place("decision", rfc)
        if decision_form is None and manager and awaiting:
            decision_form = decision_copy(rfc)
        rows.append(
            {
                "item": item,
                "rfc": rfc,
                "applications": rfc.application_codes,
                "advice": given,
                "mine": mine,
                "decision": decisions.get(rfc.pk),
                "quorum_met": len(given) >= needed,
                "advice_form": advice_form,
                "decision_form": decision_form,
            }
        )
    agenda_form = minutes_form = None
    candidates = False
    if manager and is_open:
        waiting = services.awaiting_cab(meeting)
        candidates = waiting.exists()
        agenda_form = in_place("agenda", None) or AgendaForm(candidates=waiting)
        minutes_form = in_place("minutes", None) or MinutesForm()
    context = {
        "meeting": meeting,
        "members": members,
        "rows": rows,
        "page": page,
        "needed": needed,
        "manager": manager,
        "member": member,
        "is_open": is_open,
        "agenda_form": agenda_form,
        "candidates": candidates,
        "minutes_form": minutes_form,
        # a refused form, for its errors on top when it has no place on the page
        "refused": form,
        "refused_elsewhere": form is not None and (not placed or what == "build"),
        "conflicts_url": reverse("changes:meeting_conflicts", args=[meeting.pk])
        + f"?page={page.number}",
    }
    return render(request, "changes/meeting.html", context, status=status)


@login_required
def meeting(request, pk):
    return _meeting_page(request, selectors.meeting_or_404(request.user, pk))


def _agenda_page(request, meeting, agenda):
    """The page of the meeting's ``agenda`` asked for (``?page=``), its items counted on
    their own: counted with the RfCs ``agenda`` reads, every RfC was joined."""
    paginator = CountedApart(agenda, AGENDA_PER_PAGE, meeting.agenda.count())
    return paginator.get_page(request.GET.get("page"))


class _AgendaRfC(NamedTuple):
    """What the agenda's conflicts show of an RfC on it, and find its conflicts by."""

    pk: int
    reference: str
    title: str
    planned_start: datetime.datetime | None
    planned_end: datetime.datetime | None


@require_GET
@login_required
def meeting_conflicts(request, pk):
    """The conflicts of the RfCs on a page of the agenda: other live RfCs on one of their
    applications whose windows overlap theirs, those the user may see named, the rest
    counted. htmx asks for them once the meeting's page is shown and puts each in its
    RfC's place (issue 17: with 600 RfCs on the agenda, their overlaps were a fifth of
    the page's time); without htmx it is a page of its own, linked from each RfC."""
    meeting = selectors.meeting_or_404(request.user, pk)
    # the RfCs read as the few values shown, not as RfCs with their state machines
    fields = ("rfc_id", *(f"rfc__{name}" for name in _AgendaRfC._fields[1:]))
    page = _agenda_page(request, meeting, meeting.agenda.values_list(*fields))
    rfcs = [_AgendaRfC(*row) for row in page.object_list]
    conflicts = selectors.conflicts_seen_by(request.user, rfcs)
    rows = []
    for rfc in rfcs:
        shown, hidden = conflicts.get(rfc.pk, ([], 0))
        rows.append({"rfc": rfc, "conflicts": shown, "hidden_conflicts": hidden})
    context = {"meeting": meeting, "page": page, "rows": rows}
    if request.htmx:
        return render(request, "changes/_agenda_conflicts.html", context)
    return render(request, "changes/meeting_conflicts.html", context)


def _meeting_action(request, pk, *, allowed, refusal):
    """A meeting the user may see (404 otherwise) and may act on (403 otherwise)."""
    meeting = selectors.meeting_or_404(request.user, pk)
    if not allowed(request.user, meeting):
        raise PermissionDenied(refusal)
    return meeting


def _after(request, meeting, form, outcome, *, what, said, anchor="#agenda"):
    """Back to the meeting once done; the page again with the refused form if not."""
    result, status = outcome
    if status is None:
        messages.success(request, said(result))
        return redirect(reverse("changes:meeting", args=[meeting.pk]) + anchor)
    return _meeting_page(request, meeting, refused=(what, form), status=status)


def _manages(user, meeting) -> bool:
    return permissions.may_manage_changes(user)


@login_required
@require_POST
def agenda(request, pk):
    """The agenda: built from every RfC awaiting the CAB, or one RfC added."""
    meeting = _meeting_action(
        request, pk, allowed=_manages, refusal="Only an ITSM Change Manager sets the CAB's agenda."
    )
    if "build" in request.POST:
        form = GuardedForm(request.POST)
        outcome = run_form(form, lambda data: services.build_agenda(meeting, by=request.user))
        return _after(
            request,
            meeting,
            form,
            outcome,
            what="build",
            said=lambda items: f"{len(items)} RfC(s) put on the agenda.",
        )
    form = AgendaForm(request.POST, candidates=services.awaiting_cab(meeting))
    outcome = run_form(
        form,
        lambda data: services.put_on_agenda(meeting, by=request.user, rfcs=[data["rfc"]]),
    )
    return _after(
        request,
        meeting,
        form,
        outcome,
        what="agenda",
        said=lambda items: "Put on the agenda." if items else "Already on the agenda.",
    )


@login_required
@require_POST
def advice(request, pk):
    """A member's advice on an RfC of the agenda (approve, reject, abstain), once."""
    meeting = _meeting_action(
        request,
        pk,
        allowed=permissions.sits_on,
        refusal="Only the meeting's members give their advice.",
    )
    form = AdviceForm(request.POST, meeting=meeting)
    outcome = run_form(form, lambda data: services.give_advice(meeting, by=request.user, **data))
    return _after(
        request,
        meeting,
        form,
        outcome,
        what="advice",
        said=lambda a: f"Your advice on {a.rfc.reference} is recorded: {a.get_verdict_display()}.",
    )


@login_required
@require_POST
def decide(request, pk):
    """The change manager's decision (A) on an RfC of the agenda, on the CAB's advice."""
    meeting = _meeting_action(
        request,
        pk,
        allowed=_manages,
        refusal="Only an ITSM Change Manager records the change authority's decision.",
    )
    form = DecisionForm(request.POST, meeting=meeting)
    outcome = run_form(
        form, lambda data: services.record_cab_decision(meeting, by=request.user, **data)
    )
    return _after(
        request,
        meeting,
        form,
        outcome,
        what="decision",
        said=lambda d: f"{d.rfc.reference}: {d.get_outcome_display().lower()}.",
    )


@login_required
@require_POST
def minutes(request, pk):
    """The minutes, recorded once and mailed to the members and the requesters."""
    meeting = _meeting_action(
        request, pk, allowed=_manages, refusal="Only an ITSM Change Manager records the minutes."
    )
    form = MinutesForm(request.POST)
    outcome = run_form(form, lambda data: services.record_minutes(meeting, by=request.user, **data))
    return _after(
        request,
        meeting,
        form,
        outcome,
        what="minutes",
        said=lambda m: "Minutes recorded and sent to the members and the requesters.",
        anchor="#minutes",
    )
