"""Forms of the DSL: what is stored in it."""

from django import forms

from releasemgmt.forms import ReleaseForm

from .models import Document


class ComponentForm(ReleaseForm):
    """RM.2.3: store a delivered component in the DSL."""

    name = forms.CharField(max_length=200)
    version = forms.CharField(max_length=40)
    file = forms.FileField()


class DocumentForm(ReleaseForm):
    """RM.2.4: store a document in the DSL."""

    title = forms.CharField(max_length=200)
    kind = forms.ChoiceField(choices=Document.Kind.choices)
    file = forms.FileField()
