"""The readiness pages: a release's Move2Run checklist with the forms its users may
use, the readiness section of the release page (filled by htmx), and the process owner's
templates. Thin: the selectors read, the services decide, ``run_form`` reports."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from raci import permissions as raci
from releasemgmt.web import posted, run_form
from releases.selectors import visible_release_or_404

from . import selectors, services
from .forms import (
    CarryItemForm,
    ConfirmItemForm,
    NewTemplateItemForm,
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
