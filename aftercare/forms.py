"""The input of aftercare's pages and API alike (the guard against hostile input comes
with ``ReleaseForm``); the services decide what holds."""

from django import forms
from django.contrib.auth import get_user_model

from releasemgmt.forms import GuardedForm, ReleaseForm
from releases.forms import DateInput, DateTimeInput

from .models import ImprovementAction, Incident, PostReleaseReview


class IncidentForm(ReleaseForm):
    """An incident recorded against the release in hypercare."""

    reference = forms.CharField(
        max_length=40, help_text="The incident's reference in the service desk's tool."
    )
    title = forms.CharField(max_length=200)
    priority = forms.ChoiceField(choices=Incident.Priority.choices)
    major = forms.BooleanField(required=False, label="Major incident")
    caused_by_release = forms.ChoiceField(
        choices=Incident.Cause.choices,
        initial=Incident.Cause.UNKNOWN,
        label="Caused by the release",
    )
    opened_at = forms.DateTimeField(label="Opened", widget=DateTimeInput)
    resolved_at = forms.DateTimeField(
        label="Resolved", widget=DateTimeInput, required=False, help_text="Empty while open."
    )


class ResolveIncidentForm(ReleaseForm):
    """An incident resolved: now, or when it says."""

    resolved_at = forms.DateTimeField(
        label="Resolved", widget=DateTimeInput, required=False, help_text="Empty: now."
    )


class CloseHypercareForm(ReleaseForm):
    """Hypercare ends: why, and why all the same while an exit criterion is unmet."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why it ends")
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why it ends with criteria unmet",
        help_text="Only when an exit criterion is not met.",
    )


class TriggerRollbackForm(ReleaseForm):
    """The rollback asked for from hypercare (RM.6.4 reopened): why."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why it is rolled back",
        help_text="For example the incident that makes the release unusable.",
    )


class ReviewForm(ReleaseForm):
    """The post-release review, as the release manager writes it (the records give the
    rest: planned against actual, incidents, rollback)."""

    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), label="What the review found")
    objectives = forms.ChoiceField(
        choices=[("", "Not assessed yet"), *PostReleaseReview.Objectives.choices],
        required=False,
        label="Objectives",
    )
    objectives_comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="On the objectives"
    )
    schedule_comment = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="On planned against actual"
    )
    stakeholder_feedback = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, label="Stakeholder feedback"
    )


class ActionForm(ReleaseForm):
    """An improvement action decided by the review: its owner follows it until done."""

    title = forms.CharField(max_length=200)
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="username",
        help_text="Their username.",
        widget=forms.TextInput,
    )
    due_date = forms.DateField(label="Due", widget=DateInput)


class ActionStatusForm(ReleaseForm):
    """An improvement action moved on by its owner (or the release manager)."""

    status = forms.ChoiceField(choices=ImprovementAction.Status.choices)


class LessonForm(ReleaseForm):
    """A lesson learned, written with the review."""

    what_happened = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    next_time = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="What to do next time"
    )
    tags = forms.CharField(
        max_length=400, required=False, help_text="Separated by commas: testing, migration."
    )


class LessonSearchForm(GuardedForm):
    """The search of ``/lessons/``: text, application code, tag, page."""

    q = forms.CharField(max_length=200, required=False, label="Search")
    application = forms.CharField(max_length=30, required=False)
    tag = forms.CharField(max_length=40, required=False)
    page = forms.IntegerField(min_value=1, required=False)


class LatestLessonsForm(GuardedForm):
    """Whose lessons a planning page asks for: its release, or the application chosen."""

    release = forms.CharField(max_length=60, required=False)
    application = forms.CharField(max_length=30, required=False)
