"""What a reader asks of the KPI page and its API: a period and the slices, all in the
query string so that a view can be bookmarked and mailed (issue 15 point 7)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from raci.models import Party
from raci.release_types import ReleaseType
from releasemgmt.forms import GuardedForm
from releases.models import Application

from . import periods

#: the longest custom range: eight years of releases is the trend's own span, and more
MAX_CUSTOM_DAYS = 366 * 8


class KpiQueryForm(GuardedForm):
    """``period``: 2026-Q3, 2026-H1, 2026 or ``custom`` with ``start`` and ``end``;
    none given, the current quarter. Slices: ``application`` (its code), ``thread`` (a
    business thread's slug), ``release_type``."""

    period = forms.CharField(max_length=10, required=False, help_text="2026-Q3, 2026-H1, 2026")
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    application = forms.ModelChoiceField(
        queryset=Application.objects.order_by("code"), to_field_name="code", required=False
    )
    thread = forms.ModelChoiceField(
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD).order_by("position"),
        to_field_name="slug",
        required=False,
    )
    release_type = forms.ChoiceField(
        choices=[("", "Any type"), *ReleaseType.choices], required=False
    )

    def clean(self):
        data = super().clean()
        text = (data.get("period") or "").strip()
        if text == "custom":
            start, end = data.get("start"), data.get("end")
            if start is None or end is None:
                raise ValidationError(
                    {"start" if start is None else "end": "Give both days of a custom range."}
                )
            if end < start:
                raise ValidationError({"end": "The range ends before it starts."})
            if (end - start).days > MAX_CUSTOM_DAYS:
                raise ValidationError({"end": "At most eight years at once."})
            data["range"] = periods.Period("custom", start, end)
        elif text:
            found = periods.parse(text)
            if found is None:
                raise ValidationError(
                    {
                        "period": "Write a quarter (2026-Q3), a semester "
                        "(2026-H1), a year (2026) or 'custom'."
                    }
                )
            data["range"] = found
        else:
            data["range"] = periods.quarter_of(timezone.localdate())
        return data
