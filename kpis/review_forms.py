"""The quarterly review's forms (seed 002 section 6), shared by its page and its API."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import ModelChoiceIterator

from raci.models import Party
from releasemgmt.forms import GuardedForm
from releases.forms import DateInput

from .models import QuarterlyReviewAction


def _active_users():
    """The ITSM staff: who reads the quarterly reviews, sits on them and owns their
    actions (a business thread reads none of them)."""
    staff = get_user_model().objects.filter(is_active=True, groups__party__kind=Party.Kind.ITSM)
    return staff.distinct().order_by("username")


class ByUsername(ModelChoiceIterator):
    """The users offered, by username and labelled as the site names a user (full name,
    else username), read as values: as instances, the 240 ITSM staff members offered as
    participants were a sixth of the page at 100,000 releases (issue 17). Only what is
    shown: what is posted is checked against the field's queryset, as before."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        named = get_user_model().named
        for first, last, username in self.queryset.values_list(
            "first_name", "last_name", "username"
        ):
            yield (username, named(first, last, username))


class Participants(forms.ModelMultipleChoiceField):
    iterator = ByUsername


class QuarterlyReviewForm(GuardedForm):
    """The review as the release manager records it, with at most one new improvement
    action decided by it (title, owner and due date, all three or none)."""

    held_on = forms.DateField(label="Held on", widget=DateInput)
    participants = Participants(
        queryset=_active_users(),
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Their usernames.",
    )
    summary = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), label="What the review found"
    )
    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="Decisions")
    action_title = forms.CharField(max_length=200, required=False, label="New improvement action")
    action_owner = forms.ModelChoiceField(
        queryset=_active_users(),
        to_field_name="username",
        required=False,
        label="Its owner",
        help_text="Their username.",
        widget=forms.TextInput,
    )
    action_due_date = forms.DateField(required=False, label="Due", widget=DateInput)


class QuarterlyActionStatusForm(GuardedForm):
    """An action of the quarterly review marked done (or open again)."""

    status = forms.ChoiceField(choices=QuarterlyReviewAction.Status.choices)
