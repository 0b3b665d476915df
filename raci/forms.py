"""Forms of Table 4-1."""

from django import forms

from releasemgmt.accounts.models import User
from releasemgmt.forms import GuardedForm

from .models import Delegation, Organisation, RaciCell


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


class DeputyForm(GuardedForm):
    """A deputy for a period (issue 16 point 4); an administrator names the principal
    too, a user names their own."""

    principal = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        widget=forms.TextInput,
        required=False,
        label="Deputy of (user name; empty: yourself)",
        help_text="Only an administrator names a deputy for someone else.",
    )
    deputy = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        to_field_name="username",
        widget=forms.TextInput,
        label="Deputy (user name)",
        error_messages={"invalid_choice": "No active user of that name."},
    )
    starts = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="From")
    ends = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="To (included)")
    reason = forms.CharField(
        max_length=Delegation._meta.get_field("reason").max_length, required=False
    )

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", "The period ends on or after the day it starts.")
        return data
