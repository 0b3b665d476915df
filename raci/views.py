import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from . import permissions, selectors, services
from .forms import RaciCellForm
from .models import Activity, Party


@login_required
def matrix(request):
    """Table 4-1 as the process shows it, each activity linked to its description."""
    parties, activities, cells = selectors.matrix()
    rows = [
        {"activity": a, "cells": [(p, cells.get((a.id, p.id), "")) for p in parties]}
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
    return render(request, "raci/activities.html", {"activities": Activity.objects.all()})


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
