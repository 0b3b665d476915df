"""``{{ field|choice_labels }}``: the choices of a multiple-choice or radio field as the
site's forms show them (``templates/includes/form.html``), each box inside its label.
Written by Python, not by a template loop: the quarterly review offers every ITSM staff
member as a participant (240 at the bench's size), whose loop took 19 ms of the page's
rendering (issue 17)."""

from django import template
from django.utils.html import conditional_escape, escape, format_html, format_html_join
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
    a note when there is none to choose. Written from the widget's choices as Django's
    choice widgets write them (ids ``<id>_<index>``, the selected ones checked, the
    field's ``required`` and ``disabled``): through the bound field's subwidgets, the
    quarterly review's 240 participants were a third of its page at 100,000 releases
    (issue 17). Grouped choices go through the subwidgets."""
    widget = field.field.widget
    choices = [(value, label) for value, label in widget.choices]
    if any(isinstance(label, (list, tuple)) for _, label in choices):
        return _from_subwidgets(field)
    if not choices:
        return mark_safe("<small>Nothing to choose.</small>")
    chosen = widget.format_value(field.value())
    carried = field.build_widget_attrs({})
    flags = "".join(f" {name}" for name in CARRIED if carried.get(name))
    # what every choice shares written (and escaped) once; each choice's value, id and
    # label escaped as format_html would
    opening = f'<label><input type="{escape(widget.input_type)}" name="{escape(field.html_name)}"'
    named = escape(field.auto_id) if field.auto_id else ""
    rows, checked_one = [], False
    for index, (value, label) in enumerate(choices):
        value = "" if value is None else str(value)
        checked = value in chosen and (widget.allow_multiple_selected or not checked_one)
        checked_one |= checked
        rows.append(
            f'{opening} value="{escape(value)}"'
            + (f' id="{named}_{index}"' if named else "")
            + (" checked" if checked else "")
            + f"{flags}> {conditional_escape(label)}</label>"
        )
    return mark_safe("".join(rows))


def _from_subwidgets(field) -> str:
    return format_html_join(
        "",
        '<label><input type="{}" name="{}" value="{}"{}> {}</label>',
        (
            (c.data["type"], c.data["name"], str(c.data["value"]), _attributes(c), c.choice_label)
            for c in field
        ),
    )
