"""Forms of Table 4-1."""

from django import forms

from releasemgmt.forms import GuardedForm

from .models import Organisation, RaciCell


class RaciCellForm(GuardedForm):
    """One cell: its letters (any of R, A, C, I; empty clears it)."""

    letters = forms.CharField(
        max_length=RaciCell._meta.get_field("letters").max_length, required=False
    )


class WaivableForm(GuardedForm):
    """Whether releases of one type may waive one activity."""

    waivable = forms.BooleanField(required=False, label="Releases of this type may waive it")


class OrganisationForm(GuardedForm):
    """A 3rd party developer organisation (issue 13 point 1)."""

    name = forms.CharField(max_length=Organisation._meta.get_field("name").max_length)


class MemberForm(GuardedForm):
    """A person of a developer organisation: an existing user by name, or a new one."""

    username = forms.CharField(max_length=150, label="User name")
    email = forms.EmailField(max_length=254, required=False, label="E-mail (a new user)")
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)


class RemoveMemberForm(GuardedForm):
    remove = forms.CharField(max_length=150, label="User name")
