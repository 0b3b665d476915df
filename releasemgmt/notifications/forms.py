"""The user's choice of what comes by e-mail."""

from django import forms

from releasemgmt.forms import InputGuard

from .models import Preference


class PreferenceForm(InputGuard, forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email_informed"]
