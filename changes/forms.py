"""Forms of change management: they parse what is typed on the pages (and RM.1.1's
action, for the API too); the rules are ``changes.services``'s. Every form carries the
guard against hostile input (``releasemgmt.forms.GuardedForm``)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.html import format_html, format_html_join

from releasemgmt.forms import GuardedForm, ReleaseForm
from releases.models import Application

from . import risk, services
from .models import Advice, CabDecision, CabMeeting, Category, ChangeModel, ChangeType, Level, RfC
from .selectors import authorised_to_include

#: a risk question's field is named after its key: ``risk_done_before``...
RISK_PREFIX = "risk_"


class DateTimeInput(forms.DateTimeInput):
    """A browser's date-time picker reads and writes ISO date-times only."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PickerInput(forms.TextInput):
    """A text box with suggestions: the browser offers the ``options`` (a <datalist>)
    as one types a reference or words of a title; any reference may still be typed."""

    options = ()

    def render(self, name, value, attrs=None, renderer=None):
        attrs = dict(attrs or {})
        list_id = f"{attrs.get('id') or name}-options"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '<option value="{}">{}</option>', ((r.reference, r.title) for r in self.options)
        )
        return box + format_html('<datalist id="{}">{}</datalist>', list_id, options)


def _text(label="", help_text="", rows=3, required=False):
    return forms.CharField(
        label=label or None,
        help_text=help_text,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _moment(label, help_text=""):
    return forms.DateTimeField(
        label=label, help_text=help_text, required=False, widget=DateTimeInput
    )


def risk_fields(answers=None) -> dict:
    """One group of radio buttons per assessment question (``changes.risk``)."""
    answers = answers or {}
    return {
        RISK_PREFIX + q.key: forms.ChoiceField(
            label=q.text,
            choices=q.choices,
            required=False,
            widget=forms.RadioSelect,
            initial=answers.get(q.key),
        )
        for q in risk.QUESTIONS
    }


def risk_answers(cleaned: dict) -> dict:
    """The answers given, by question key (unanswered ones left out)."""
    given = {q.key: cleaned.get(RISK_PREFIX + q.key) for q in risk.QUESTIONS}
    return {key: answer for key, answer in given.items() if answer}


RISK_FIELDS = tuple(RISK_PREFIX + key for key in risk.QUESTION_KEYS)


class UserChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        name = user.get_full_name()
        return f"{name} ({user.username})" if name else user.username


class RfCForm(GuardedForm):
    """Seed 003, create and record: what is to change, why, what it affects, the risk
    questions, the window, the projected outage and the remediation (seed 004 section
    8). Registration and revision alike."""

    title = forms.CharField(max_length=200)
    description = _text(help_text=RfC._meta.get_field("description").help_text, rows=4)
    reason = _text(help_text=RfC._meta.get_field("reason").help_text)
    change_type = forms.ChoiceField(
        label="Type of change", choices=ChangeType.choices, initial=ChangeType.NORMAL
    )
    change_model = forms.ModelChoiceField(
        queryset=ChangeModel.objects.filter(active=True),
        required=False,
        empty_label="The model of its type",
        help_text="How it is handled: the steps and the notice it needs.",
    )
    category = forms.ChoiceField(choices=Category.choices, initial=Category.APPLICATION)
    applications = forms.ModelMultipleChoiceField(
        queryset=Application.objects.order_by("code"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
        help_text="What it affects (hold Ctrl or Cmd to choose several).",
    )
    impact = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM)
    urgency = forms.ChoiceField(choices=Level.choices, initial=Level.MEDIUM)
    planned_start = _moment("Planned start")
    planned_end = _moment("Planned end")
    outage_start = _moment("Outage start", "Leave empty when the service stays up.")
    outage_end = _moment("Outage end")
    outage_description = _text(
        "Projected outage", RfC._meta.get_field("outage_description").help_text, rows=2
    )
    backout_plan = _text("Back-out plan", RfC._meta.get_field("backout_plan").help_text)
    backout_impossible_reason = _text(
        "Why no back-out is possible",
        RfC._meta.get_field("backout_impossible_reason").help_text,
        rows=2,
    )
    backout_trigger = _text(
        "Back-out trigger", RfC._meta.get_field("backout_trigger").help_text, rows=2
    )

    #: the groups of the page, in order
    SECTIONS = (
        ("The change", ("title", "description", "reason")),
        ("Classification", ("change_type", "change_model", "category", "applications")),
        ("Impact and urgency (they give the priority)", ("impact", "urgency")),
        ("Risk assessment (it gives the risk level)", RISK_FIELDS),
        ("Window", ("planned_start", "planned_end")),
        ("Projected service outage", ("outage_start", "outage_end", "outage_description")),
        ("Remediation", ("backout_plan", "backout_impossible_reason", "backout_trigger")),
    )

    def __init__(self, *args, rfc=None, **kwargs):
        if rfc is not None:
            initial = {f: getattr(rfc, f) for f in ("title", "description", "reason")}
            initial |= {
                f: getattr(rfc, f)
                for f in (
                    "change_type",
                    "change_model",
                    "category",
                    "impact",
                    "urgency",
                    "planned_start",
                    "planned_end",
                    "outage_start",
                    "outage_end",
                    "outage_description",
                    "backout_plan",
                    "backout_impossible_reason",
                    "backout_trigger",
                )
            }
            initial["applications"] = list(rfc.applications.all())
            initial |= {RISK_PREFIX + k: v for k, v in (rfc.risk_answers or {}).items()}
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        questions = risk_fields()
        fields = list(self.fields.items())
        at = [name for name, _ in fields].index("urgency") + 1
        self.fields = dict(fields[:at] + list(questions.items()) + fields[at:])

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]

    def values(self) -> dict:
        """What the services take (``raise_rfc``, ``revise_rfc``)."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith(RISK_PREFIX)}
        data["risk_answers"] = risk_answers(self.cleaned_data)
        return data


class RfCFilterForm(GuardedForm):
    """The RfC list's filters: each is an index (``selectors.rfc_list``)."""

    q = forms.CharField(label="Search", required=False, max_length=200)
    status = forms.ChoiceField(choices=[("", "Any status"), *RfC.Status.choices], required=False)
    change_type = forms.ChoiceField(
        label="Type", choices=[("", "Any type"), *ChangeType.choices], required=False
    )
    application = forms.ModelChoiceField(
        queryset=Application.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Any application",
    )
    risk = forms.ChoiceField(
        label="Risk", choices=[("", "Any risk"), *Level.choices], required=False
    )

    def filters(self) -> dict:
        """The valid filters (an invalid one is shown with its error and ignored)."""
        self.is_valid()
        given = self.cleaned_data
        return {
            "text": given.get("q") or "",
            "status": given.get("status") or "",
            "change_type": given.get("change_type") or "",
            "application": given.get("application"),
            "risk": given.get("risk") or "",
        }


class ScheduleFilterForm(GuardedForm):
    """The change schedule's window and application."""

    application = forms.ModelChoiceField(
        queryset=Application.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label="Any application",
    )
    start = forms.DateField(label="From", required=False, widget=DateInput)
    end = forms.DateField(label="Until", required=False, widget=DateInput)

    def clean_start(self):
        return _within_plan_years(self.cleaned_data["start"])

    def clean_end(self):
        return _within_plan_years(self.cleaned_data["end"])

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end comes after the start.")
        return data


def _within_plan_years(day):
    if problem := services.year_problem(day):
        raise forms.ValidationError(problem)
    return day


class StepForm(GuardedForm):
    """A step of the request's lifecycle (``services.STEPS``), with its reason where the
    step needs one."""

    reason = _text(rows=2)

    def __init__(self, *args, step=None, **kwargs):
        super().__init__(*args, **kwargs)
        if step is None or not step.needs_reason:
            del self.fields["reason"]
        else:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Reason"


class AssessForm(StepForm):
    """Seed 003, assess and evaluate: the risk questions answered, then recorded."""

    def __init__(self, *args, rfc=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(risk_fields(rfc.risk_answers if rfc is not None else None))

    def answers(self) -> dict:
        return risk_answers(self.cleaned_data)


class ReviewForm(GuardedForm):
    """Seed 004 section 8: the post-implementation review."""

    objective_met = forms.TypedChoiceField(
        label="Did the change meet its objective?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    side_effects = _text("Side effects")
    incidents = _text("Incidents it caused")
    remediation_used = forms.BooleanField(
        label="The remediation (back-out) was used", required=False
    )
    lessons = _text("Lessons learned")


class AttachmentForm(GuardedForm):
    title = forms.CharField(max_length=200, required=False, help_text="What the document is.")
    file = forms.FileField(label="Document")


class MeetingForm(GuardedForm):
    """Seed 003: a CAB, or an emergency CAB, with its named members."""

    kind = forms.ChoiceField(choices=CabMeeting.Kind.choices, initial=CabMeeting.Kind.CAB)
    title = forms.CharField(max_length=200)
    starts_at = forms.DateTimeField(label="Starts at", widget=DateTimeInput)
    location = forms.CharField(max_length=200, required=False)
    members = UserChoices(
        queryset=get_user_model().objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text="Who advises (hold Ctrl or Cmd to choose several).",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = (
            get_user_model()
            .objects.filter(is_active=True)
            .order_by("last_name", "first_name", "username")
        )


class _OnAgenda(GuardedForm):
    """A form about one RfC of a meeting's agenda, named by its reference."""

    rfc = forms.ModelChoiceField(
        queryset=RfC.objects.none(), to_field_name="reference", widget=forms.HiddenInput
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if meeting is not None:
            self.fields["rfc"].queryset = RfC.objects.filter(agenda_items__meeting=meeting)


#: the id of the list of RfCs awaiting the CAB that the agenda's field suggests
CANDIDATES_LIST = "agenda-candidates"


class _AwaitingRfC(forms.ModelChoiceField):
    """An RfC of the field's queryset by its reference as typed: spaces around it and
    the case of its letters do not matter."""

    def to_python(self, value):
        value = value.strip() if isinstance(value, str) else value
        if value in self.empty_values:
            return None
        found = self.queryset.filter(reference__iexact=value).order_by("id").first()
        if found is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"],
                code="invalid_choice",
                params={"value": value},
            )
        return found


class AgendaForm(GuardedForm):
    """One RfC awaiting the CAB put on the agenda: typed, with the RfCs awaiting it as
    suggestions (``suggestions``). A list to choose from made an RfC of each of the
    hundreds awaiting and rendered an option widget for each: 85 ms of the meeting's page
    with 600 awaiting (issue 17); the suggestions are read as values, written at once."""

    rfc = _AwaitingRfC(
        queryset=RfC.objects.none(),
        to_field_name="reference",
        label="RfC awaiting the CAB",
        help_text="Its reference: type it, or a word of its title, and pick it from the list.",
        empty_label=None,
        error_messages={"invalid_choice": "No RfC of that reference awaits this CAB."},
        widget=forms.TextInput(attrs={"list": CANDIDATES_LIST, "autocomplete": "off"}),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["rfc"].queryset = candidates

    def suggestions(self):
        """The ``<datalist>`` of the RfCs awaiting the CAB, by reference, with their title."""
        rows = self.fields["rfc"].queryset.values_list("reference", "title")
        options = format_html_join("", '<option value="{}">{}</option>', rows)
        return format_html('<datalist id="{}">{}</datalist>', CANDIDATES_LIST, options)


class AdviceForm(_OnAgenda):
    verdict = forms.ChoiceField(
        label="Your advice", choices=Advice.Verdict.choices, widget=forms.RadioSelect
    )
    comment = _text(rows=2)


class DecisionForm(_OnAgenda):
    outcome = forms.ChoiceField(
        label="Decision", choices=CabDecision.Outcome.choices, widget=forms.RadioSelect
    )
    conditions = _text(rows=2, help_text="What the authorisation depends on, if anything.")


class MinutesForm(GuardedForm):
    minutes = _text(rows=8, required=True)


class _RfCByReference(ReleaseForm):
    """An RfC named by its reference; the service says whether it may go in or out."""

    rfc = forms.CharField(max_length=40, label="RfC", help_text="Its reference, e.g. RFC-000123.")

    def clean_rfc(self):
        reference = self.cleaned_data["rfc"].strip()
        rfc = RfC.objects.filter(reference__iexact=reference).first()
        if rfc is None and reference.split():  # a suggestion copied with its title
            rfc = RfC.objects.filter(reference__iexact=reference.split()[0]).first()
        if rfc is None:
            raise forms.ValidationError(f"There is no RfC {reference}.")
        return rfc


class IncludeRfCForm(_RfCByReference):
    """RM.1.1: include a Change Implementation Request: an authorised RfC no release
    carries yet, named by its reference (the box suggests them)."""

    rfc = forms.CharField(
        max_length=40,
        label="RfC",
        widget=PickerInput,
        help_text="Its reference, e.g. RFC-000123: an authorised RfC in no release yet.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rfc"].widget.options = authorised_to_include()  # read when shown


class ExcludeRfCForm(_RfCByReference):
    """RM.1.1 revised: take an RfC out of the release, until RM.2.1."""
