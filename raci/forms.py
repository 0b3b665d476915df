"""Forms of Table 4-1."""

from django import forms

from releasemgmt.forms import GuardedForm

from .models import RaciCell


class RaciCellForm(GuardedForm):
    """One cell: its letters (any of R, A, C, I; empty clears it)."""

    letters = forms.CharField(
        max_length=RaciCell._meta.get_field("letters").max_length, required=False
    )


class WaivableForm(GuardedForm):
    """Whether releases of one type may waive one activity."""

    waivable = forms.BooleanField(required=False, label="Releases of this type may waive it")
