import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from releasemgmt.web import posted, run_form

from . import organisations as organisation_services
from . import permissions, selectors, services
from .forms import MemberForm, OrganisationForm, RaciCellForm, RemoveMemberForm, WaivableForm
from .models import Activity, Organisation, Party
from .release_types import RULES, ReleaseType


@login_required
def matrix(request):
    """Table 4-1 as the process shows it, each activity linked to its description."""
    parties, activities, cells = selectors.matrix()
    waivable = selectors.waivable()
    rows = [
        {
            "activity": a,
            "cells": [(p, cells.get((a.id, p.id), "")) for p in parties],
            "waivable": [(t, t.value in waivable.get(a.id, ())) for t in ReleaseType],
        }
        for a in activities
    ]
    return render(
        request,
        "raci/matrix.html",
        {
            "parties": parties,
            "rows": rows,
            "may_edit": permissions.may_change_matrix(request.user),
            "history": selectors.matrix_history()[:50],
            "release_types": [(t, RULES[t]) for t in ReleaseType],
            "waiver_history": selectors.waiver_history()[:50],
        },
    )


@login_required
def matrix_csv(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="rm_raci.csv"'
    csv.writer(response).writerows(selectors.raci_rows())
    return response


@login_required
def activities(request):
    """Section 4.4 of the process: what each activity is."""
    waivable = selectors.waivable()
    activities = list(Activity.objects.all())
    for a in activities:
        a.waivable_for = [t.label for t in ReleaseType if t.value in waivable.get(a.id, ())]
    return render(
        request,
        "raci/activities.html",
        {"activities": activities, "release_types": [(t, RULES[t]) for t in ReleaseType]},
    )


@login_required
def edit_cell(request, code, party):
    """A process owner changes one cell of Table 4-1."""
    if not permissions.may_change_matrix(request.user):
        raise PermissionDenied("Only a process owner may change the RACI table.")
    activity = get_object_or_404(Activity, code=code)
    party = get_object_or_404(Party, slug=party)
    letters = activity.cells.filter(party=party).values_list("letters", flat=True).first() or ""
    form, status = RaciCellForm(initial={"letters": letters}), None
    if request.method == "POST":
        form = RaciCellForm(request.POST)
        if form.is_valid():
            try:
                services.set_raci_cell(
                    by=request.user, activity=activity, party=party, **form.cleaned_data
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
            else:
                messages.success(request, f"{activity.code} / {party}: saved.")
            return redirect("raci:matrix")
        status = 400
    return render(
        request,
        "raci/edit_cell.html",
        {"activity": activity, "party": party, "form": form},
        status=status,
    )


@login_required
def edit_waivable(request, code, release_type):
    """A process owner says whether releases of a type may waive an activity (issue 12
    point 5); who waives it on a release is still Table 4-1's R or A."""
    if not permissions.may_change_matrix(request.user):
        raise PermissionDenied("Only a process owner may change what a release type may waive.")
    activity = get_object_or_404(Activity, code=code)
    if release_type not in ReleaseType.values:
        raise Http404("No such release type.")
    kind = ReleaseType(release_type)
    current = activity.waivers.filter(release_type=release_type).exists()
    form, status = WaivableForm(initial={"waivable": current}), None
    if request.method == "POST":
        form = WaivableForm(request.POST)
        if form.is_valid():
            services.set_waivable(
                by=request.user,
                activity=activity,
                release_type=release_type,
                waivable=form.cleaned_data["waivable"],
            )
            messages.success(request, f"{activity.code} / {kind.label} releases: saved.")
            return redirect("raci:matrix")
        status = 400
    return render(
        request,
        "raci/edit_waivable.html",
        {"activity": activity, "release_type": kind, "form": form},
        status=status,
    )


# --- developer organisations (issue 13 point 1) -----------------------------------------


@login_required
def organisations(request):
    """The 3rd party developer organisations; the keepers of the master data add one."""
    form, status = OrganisationForm(), None
    if request.method == "POST":
        form = OrganisationForm(posted(request)[0])
        saved, status = run_form(
            form, lambda data: organisation_services.save_organisation(by=request.user, **data)
        )
        if status is None:
            messages.success(request, f"{saved.name} added.")
            return redirect("raci:organisation", name=saved.name)
    return render(
        request,
        "raci/organisations.html",
        {
            "organisations": selectors.organisations(),
            "form": form,
            "may_manage": permissions.may_manage_master_data(request.user),
        },
        status=status,
    )


@login_required
def organisation(request, name):
    """One organisation and its people (seen by the ITSM staff and the keepers): rename
    it, add a person (existing or new), remove one."""
    organisation = get_object_or_404(Organisation, name=name)
    may_manage = permissions.may_manage_master_data(request.user)
    rename, member = OrganisationForm(initial={"name": name}), MemberForm()
    remove, status = None, None
    if request.method == "POST":
        data = posted(request)[0]
        if "remove" in data:
            remove = RemoveMemberForm(data)
            _, status = run_form(
                remove,
                lambda given: organisation_services.remove_member(
                    organisation, by=request.user, username=given["remove"]
                ),
            )
        elif "username" in data:
            member = MemberForm(data)
            _, status = run_form(
                member,
                lambda given: organisation_services.add_member(
                    organisation, by=request.user, **given
                ),
            )
        else:
            rename = OrganisationForm(data)
            _, status = run_form(
                rename,
                lambda given: organisation_services.save_organisation(
                    by=request.user, organisation=organisation, **given
                ),
            )
        if status is None:
            organisation.refresh_from_db()
            return redirect("raci:organisation", name=organisation.name)
    members = None
    if permissions.may_see_organisation_members(request.user):
        members = selectors.members(organisation)
    return render(
        request,
        "raci/organisation.html",
        {
            "organisation": organisation,
            "members": members,
            "rename": rename,
            "member": member,
            "remove": remove,
            "may_manage": may_manage,
        },
        status=status,
    )
