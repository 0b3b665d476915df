"""Forms of the master data kept in the DSL room's pages: applications and their
environments (issue 13 point 1). The API binds the same forms."""

from django import forms
from django.contrib.auth import get_user_model

from raci.models import Party
from releasemgmt.forms import GuardedForm
from releases.models import Application

from .models import Environment, InstalledVersion


def _length(model, name):
    return model._meta.get_field(name).max_length


class ApplicationForm(GuardedForm):
    """An application: its code (fixed once created), name, description and the business
    thread(s) its releases are assigned by default."""

    code = forms.SlugField(max_length=_length(Application, "code"))
    name = forms.CharField(max_length=_length(Application, "name"))
    description = forms.CharField(widget=forms.Textarea, required=False)
    business_threads = forms.ModelMultipleChoiceField(
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        to_field_name="slug",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Default business thread(s)",
    )


class ApplicationChangeForm(ApplicationForm):
    """An application's changes: its code is fixed (release identifiers carry it)."""

    code = None


class EnvironmentForm(GuardedForm):
    """An environment of an application, with its owner (a person or a party) and its
    status."""

    slug = forms.SlugField(max_length=_length(Environment, "slug"), label="Short name")
    name = forms.CharField(max_length=_length(Environment, "name"))
    kind = forms.ChoiceField(choices=Environment.Kind.choices)
    owner_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="username",
        required=False,
        label="Owner (a person, by user name)",
        widget=forms.TextInput,
    )
    owner_party = forms.ModelChoiceField(
        queryset=Party.objects.all(),
        to_field_name="slug",
        required=False,
        label="Owner (a party)",
    )
    status = forms.ChoiceField(choices=Environment.Status.choices)
    status_note = forms.CharField(
        max_length=_length(Environment, "status_note"), required=False, label="Status note"
    )

    def __init__(self, *args, environment=None, **kwargs):
        if environment is not None and not kwargs.get("data") and not args:
            kwargs["initial"] = {
                "slug": environment.slug,
                "name": environment.name,
                "kind": environment.kind,
                "owner_user": environment.owner_user.username if environment.owner_user else "",
                "owner_party": environment.owner_party.slug if environment.owner_party else "",
                "status": environment.status,
                "status_note": environment.status_note,
            }
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if data.get("owner_user") and data.get("owner_party"):
            self.add_error("owner_party", "The owner is a person or a party, not both.")
        return data


class VersionForm(GuardedForm):
    """What an environment runs, recorded by hand outside a release."""

    version = forms.CharField(max_length=_length(InstalledVersion, "version"))
    note = forms.CharField(max_length=_length(InstalledVersion, "note"), required=False)
