"""What every form of an activity shares."""

from django import forms


class ReleaseForm(forms.Form):
    """A form that knows its release (for choices limited to it)."""

    def __init__(self, *args, release=None, **kwargs):
        self.release = release
        super().__init__(*args, **kwargs)
