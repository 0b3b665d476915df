"""The forms of release packages (``services.packages`` decides what holds together)."""

from django import forms
from django.contrib.auth import get_user_model

from raci.permissions import Parties
from releasemgmt.forms import GuardedForm
from releases.forms import DateTimeInput

from .models import ReleasePackage


def release_managers():
    return (
        get_user_model()
        .objects.filter(groups__party__name=Parties.RELEASE_MANAGER, is_active=True)
        .order_by("username")
        .distinct()
    )


class PackageForm(GuardedForm):
    """A package's reference, name, description, owner and installation window."""

    reference = forms.CharField(max_length=40, help_text="e.g. PKG-2027-Q1")
    name = forms.CharField(max_length=200)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        help_text="The release manager who owns the package.",
    )
    installation_starts_at = forms.DateTimeField(
        label="Installation starts", widget=DateTimeInput, required=False
    )
    installation_ends_at = forms.DateTimeField(
        label="Installation ends", widget=DateTimeInput, required=False
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why the window moves (kept with each release's re-plan).",
    )

    def __init__(self, *args, package: ReleasePackage | None = None, by=None, **kwargs):
        if package is not None:
            kwargs.setdefault(
                "initial",
                {
                    "reference": package.reference,
                    "name": package.name,
                    "description": package.description,
                    "owner": package.owner.username,
                    "installation_starts_at": package.installation_starts_at,
                    "installation_ends_at": package.installation_ends_at,
                },
            )
        elif by is not None:
            kwargs.setdefault("initial", {"owner": by.username})
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = release_managers()


class PackageReleaseForm(GuardedForm):
    """A release to put in the package, by its identifier."""

    release = forms.CharField(max_length=100, help_text="Its identifier, e.g. ECS-3.2.0.")
