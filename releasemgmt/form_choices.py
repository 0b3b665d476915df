"""``{{ field|choice_labels }}``: the choices of a multiple-choice or radio field as the
site's forms show them (``templates/includes/form.html``), each box inside its label.
Written by Python, not by a template loop: the quarterly review offers every ITSM staff
member as a participant (240 at the bench's size), whose loop took 19 ms of the page's
rendering (issue 17)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

#: the attributes of a choice's box the site's forms carry over
CARRIED = ("required", "disabled")


def _attributes(choice) -> str:
    data = choice.data
    attrs = data["attrs"]
    named = format_html(' id="{}"', attrs["id"]) if attrs.get("id") else ""
    flags = [" checked"] if data["selected"] else []
    flags += [f" {name}" for name in CARRIED if attrs.get(name)]
    # the id escaped by format_html; the flags are the constant names above
    return mark_safe(named + "".join(flags))


@register.filter
def choice_labels(field) -> str:
    """Each choice of ``field`` (a bound field) as ``<label><input ...> label</label>``;
    a note when there is none to choose."""
    choices = list(field)
    if not choices:
        return mark_safe("<small>Nothing to choose.</small>")
    return format_html_join(
        "",
        '<label><input type="{}" name="{}" value="{}"{}> {}</label>',
        (
            (c.data["type"], c.data["name"], str(c.data["value"]), _attributes(c), c.choice_label)
            for c in choices
        ),
    )
