"""The readiness pages: a release's Move2Run checklist with the forms its users may
use, the readiness section of the release page (filled by htmx), and the process owner's
templates. Thin: the selectors read, the services decide, ``run_form`` reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from raci import permissions as raci
from releasemgmt.web import posted, run_form
from releases.selectors import visible_release_or_404

from . import selectors, services
from .forms import (
    BoardOutcomeForm,
    CarryItemForm,
    CompleteRunbookForm,
    ConfirmItemForm,
    NewTemplateItemForm,
    RunbookSectionForm,
    ScheduleBoardForm,
    TemplateItemForm,
    WaiveItemForm,
)
from .models import TemplateItem

#: what each item action takes and does
ITEM_ACTIONS = {
    "confirm": (ConfirmItemForm, services.confirm_item, "confirmed"),
    "waive": (WaiveItemForm, services.waive_item, "waived"),
    "carry": (CarryItemForm, services.carry_item, "carried into hypercare"),
}


def _checklist_context(request, release, bound=None):
    items = selectors.checklist_items(release)
    allowed = selectors.item_actions(request.user, release, items)
    for item in items:
        item.actions = [
            (
                name,
                bound[1]
                if bound and bound[0] == (item.pk, name)
                else ITEM_ACTIONS[name][0](release=release, auto_id=f"i{item.pk}-{name}-%s"),
            )
            for name in ("confirm", "waive", "carry")
            if name in allowed.get(item.pk, ())
        ]
    return {
        "release": release,
        "form": bound[1] if bound else None,  # the form refused, if any
        "items": items,
        "summary": selectors.summary(items),
        "blocking": selectors.open_blocking(items),
    }


@login_required
@require_GET
def checklist(request, identifier):
    """Seed 002 7.2: the release's Move2Run checklist; the owners confirm their items,
    RM.6.2's accountable party waives, low items go into hypercare."""
    release = visible_release_or_404(request.user, identifier)
    return render(request, "readiness/checklist.html", _checklist_context(request, release))


@login_required
def item_action(request, identifier, pk, action):
    """Confirm, waive or carry one item; a refusal shows the checklist again with what
    was typed and the reason on the item's form. An outsider learns nothing of the
    release, whatever the method (404 before 405)."""
    release = visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if action not in ITEM_ACTIONS or selectors.item_or_none(release, pk) is None:
        # the checklist, saying so: the release is the user's to see, the item is not there
        context = _checklist_context(request, release) | {"missing_item": pk}
        return render(request, "readiness/checklist.html", context, status=404)
    form_class, perform, done = ITEM_ACTIONS[action]
    data, files = posted(request)
    form = form_class(data, files, release=release, auto_id=f"i{pk}-{action}-%s")
    item, status = run_form(form, lambda d: perform(release, pk, by=request.user, **d))
    if status is None:
        messages.success(request, f"“{item.title}” {done}.")
        return redirect("readiness:checklist", release.identifier)
    context = _checklist_context(request, release, bound=((pk, action), form))
    return render(request, "readiness/checklist.html", context, status=status)


@login_required
@require_GET
def readiness_section(request, identifier):
    """The release page's readiness section (htmx): what holds the go-live."""
    release = visible_release_or_404(request.user, identifier)
    items = selectors.checklist_items(release)
    context = {
        "release": release,
        "summary": selectors.summary(items),
        "blocking": selectors.open_blocking(items),
        "on_release_page": bool(request.htmx),
        **selectors.readiness_summary(release),
    }
    if request.htmx:
        return render(request, "readiness/_section.html", context)
    return render(request, "readiness/readiness.html", context)


# --- the process owner's templates ---------------------------------------------------


@login_required
def templates(request):
    """The Move2Run checklist of each release type; the process owner adds lines."""
    editable = raci.may_edit_checklist_templates(request.user)
    form, status = None, None
    if editable:
        form = NewTemplateItemForm(posted(request)[0])
    if request.method == "POST":
        if not editable:
            raise PermissionDenied("Only the process owner keeps the Move2Run checklists.")
        line, status = run_form(form, lambda d: services.add_template_item(by=request.user, **d))
        if status is None:
            messages.success(request, f"“{line.title}” added.")
            return redirect("readiness:templates")
    context = {"templates": selectors.templates(), "form": form, "editable": editable}
    return render(request, "readiness/templates.html", context, status=status)


@login_required
def template_item(request, pk):
    """Change or remove a line of a template (the process owner)."""
    if not raci.may_edit_checklist_templates(request.user):
        raise PermissionDenied("Only the process owner keeps the Move2Run checklists.")
    line = get_object_or_404(TemplateItem.objects.select_related("template", "owner_party"), pk=pk)
    initial = {
        "title": line.title,
        "description": line.description,
        "priority": line.priority,
        "owner_party": line.owner_party.slug,
        "days_before_installation": line.days_before_installation,
        "position": line.position,
    }
    data = posted(request)[0]
    form, status = TemplateItemForm(data, initial=initial), None
    if request.method == "POST":
        _, status = run_form(
            form, lambda d: services.change_template_item(line, by=request.user, **d)
        )
        if status is None:
            messages.success(request, f"“{form.cleaned_data['title']}” saved.")
            return redirect("readiness:templates")
    context = {"line": line, "form": form}
    return render(request, "readiness/template_item.html", context, status=status)


@login_required
@require_POST
def template_item_remove(request, pk):
    """Remove a line of a template (the process owner; audited). Releases already
    formalised keep their items."""
    if not raci.may_edit_checklist_templates(request.user):
        raise PermissionDenied("Only the process owner keeps the Move2Run checklists.")
    line = get_object_or_404(TemplateItem, pk=pk)
    services.remove_template_item(line, by=request.user)
    messages.success(request, f"“{line.title}” removed.")
    return redirect("readiness:templates")


# --- the runbook ---------------------------------------------------------------------


def _runbook_context(request, release, bound=None, complete_form=None):
    view = selectors.runbook_view(release)
    version = view["version"]
    writable = (
        raci.may_write_runbook(request.user, release)
        and release.stage not in services.FINISHED
        and not (version and version.is_complete)
    )
    sections = []
    for slug, label, text in view["sections"]:
        form = None
        if writable:
            if bound and bound.data.get("section") == slug:
                form = bound
            else:
                form = RunbookSectionForm(
                    release=release,
                    initial={"section": slug, "text": text},
                    auto_id=f"s-{slug}-%s",
                )
        sections.append({"slug": slug, "label": label, "text": text, "form": form})
    return view | {
        "release": release,
        "sections": sections,
        "writable": writable,
        "complete_form": complete_form
        or (CompleteRunbookForm(release=release) if writable else None),
        "form": bound or complete_form,
    }


@login_required
@require_GET
def runbook(request, identifier):
    """Seed 002 7.1: the release's runbook version; its writers edit it section by section
    and mark it complete before the go-live; everyone else on the release reads it."""
    release = visible_release_or_404(request.user, identifier)
    return render(request, "readiness/runbook.html", _runbook_context(request, release))


@login_required
@require_GET
def runbook_print(request, identifier):
    """The runbook as it is printed: no navigation, no forms."""
    release = visible_release_or_404(request.user, identifier)
    context = selectors.runbook_view(release) | {"release": release}
    return render(request, "readiness/runbook_print.html", context)


@login_required
def runbook_section(request, identifier):
    """Write one section; a refusal shows the runbook again with what was typed."""
    release = visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = RunbookSectionForm(posted(request)[0], release=release)
    slug = request.POST.get("section", "")
    form.auto_id = f"s-{slug}-%s" if slug.isidentifier() else "s-%s"
    _, status = run_form(
        form, lambda d: services.edit_runbook_section(release, by=request.user, **d)
    )
    if status is None:
        messages.success(request, "Runbook section saved.")
        page = reverse("readiness:runbook", args=[release.identifier])
        return redirect(f"{page}#section-{form.cleaned_data['section']}")
    context = _runbook_context(request, release, bound=form)
    return render(request, "readiness/runbook.html", context, status=status)


@login_required
def runbook_complete(request, identifier):
    """Mark the release's runbook version complete (RM.6.2's gate)."""
    release = visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = CompleteRunbookForm(posted(request)[0], release=release)
    version, status = run_form(
        form, lambda d: services.complete_runbook(release, by=request.user, **d)
    )
    if status is None:
        messages.success(request, f"Runbook {version.label} marked complete.")
        return redirect("readiness:runbook", release.identifier)
    context = _runbook_context(request, release, complete_form=form)
    return render(request, "readiness/runbook.html", context, status=status)


# --- the Go/No-Go board ---------------------------------------------------------------


def _board_context(request, release, schedule_form=None, outcome_form=None):
    boards = selectors.boards_of(release)
    current = next((b for b in boards if b.is_open), None)
    user = request.user
    may_hold = raci.may_hold_board(user, release)
    may_decide = raci.may_decide_board(user, release) or raci.may_cancel_at_board(user, release)
    if current is None and may_hold and schedule_form is None:
        schedule_form = ScheduleBoardForm(release=release)
    if current is not None and may_decide and outcome_form is None:
        outcome_form = BoardOutcomeForm(release=release)
    shown = current or (boards[0] if boards else None)
    return {
        "release": release,
        "boards": boards,
        "current": current,
        "shown": shown,
        "pack": selectors.board_pack(shown, release) if shown else None,
        "authorisations": selectors.authorisations(release),
        "schedule_form": schedule_form if current is None else None,
        "outcome_form": outcome_form if current is not None else None,
        "form": schedule_form if schedule_form and schedule_form.is_bound else outcome_form,
    }


@login_required
@require_GET
def board(request, identifier):
    """Seed 002 section 6: the Go/No-Go board of the release, its input pack, RM.5.2's
    authorisations as context, and the outcome."""
    release = visible_release_or_404(request.user, identifier)
    return render(request, "readiness/board.html", _board_context(request, release))


@login_required
def board_schedule(request, identifier):
    release = visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = ScheduleBoardForm(*posted(request), release=release)
    _, status = run_form(form, lambda d: services.schedule_board(release, by=request.user, **d))
    if status is None:
        messages.success(request, "Go/No-Go board scheduled.")
        return redirect("readiness:board", release.identifier)
    context = _board_context(request, release, schedule_form=form)
    return render(request, "readiness/board.html", context, status=status)


@login_required
def board_outcome(request, identifier, pk):
    release = visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if selectors.board_or_none(release, pk) is None:
        context = _board_context(request, release) | {"missing_board": pk}
        return render(request, "readiness/board.html", context, status=404)
    form = BoardOutcomeForm(*posted(request), release=release)
    board, status = run_form(
        form, lambda d: services.record_outcome(release, pk, by=request.user, **d)
    )
    if status is None:
        messages.success(request, f"The board decided {board.get_outcome_display()}.")
        return redirect("readiness:board", release.identifier)
    context = _board_context(request, release, outcome_form=form)
    return render(request, "readiness/board.html", context, status=status)
