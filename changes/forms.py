"""Forms of change management."""

from django import forms

from releasemgmt.forms import ReleaseForm

from .models import RfC


class IncludeRfCForm(ReleaseForm):
    """RM.1.1: include a Change Implementation Request."""

    # A reference typed in, not a list of every free RfC: there are thousands.
    rfc = forms.CharField(
        max_length=40,
        label="RfC",
        help_text="Its reference, e.g. RFC-1234: submitted or approved, in no release yet.",
    )

    def clean_rfc(self):
        reference = self.cleaned_data["rfc"].strip()
        rfc = RfC.objects.filter(reference__iexact=reference).first()
        if rfc is None:
            raise forms.ValidationError(f"There is no RfC {reference}.")
        return rfc


class ExcludeRfCForm(IncludeRfCForm):
    """RM.1.1 revised: take an RfC out of the release."""

    rfc = forms.CharField(max_length=40, label="RfC", help_text="Its reference, e.g. RFC-000123.")
