"""The Jinja2 environment of the hot partials, and the ``{% jinja %}`` tag that puts one
in a page written in Django's language (issue 17).

Django's template language resolves every variable through a chain of lookups: the
release record's 24 activity rows and 25 audit entries took 10 to 12 ms to render of a
60 ms answer at 10,000 releases; compiled by Jinja2 to Python, the same markup takes 3
(``docs/quality.md``). Only partials that loop over many rows, and the content of the
busiest page (the release page, ``releases/_release.jinja``), are written for it, named
``*.jinja`` next to the pages that include them, with
``{% jinja "changes/_rfc_brief.jinja" rfcs=work.to_assess %}``; every page's layout, and
every form but a row's own, stays in Django's language. The forms' widgets are written
from Django's own Jinja2 templates (``WidgetRenderer``).

The filters are the few such partials need, with Django's meanings: ``date`` localises
and formats as Django's ``date`` filter does; ``url`` and the ``*_url`` filters are the
paths the URL patterns make (``releasemgmt.links``). A row's form puts
``{{ csrf_input }}``, which Django's Jinja2 backend gives a partial rendered with its
request, as ``{% csrf_token %}`` does."""

import datetime
from functools import cache

from django import template
from django.forms.renderers import DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist, defaultfilters
from django.template.loader import get_template
from django.utils import formats
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone
from jinja2 import Environment

from releasemgmt.links import links

register = template.Library()


@register.simple_tag(takes_context=True)
def jinja(context, name: str, **values) -> str:
    """The Jinja2 partial ``name`` written with the values named (and the request), in a
    page of Django's language. Jinja2 escapes what it writes, as Django does."""
    partial = get_template(name, using="jinja2")
    return mark_safe(partial.render(values, context.get("request")))


#: the formats the partials write most, put together directly, each with the values it
#: suits: Django's ``date_format`` reads the format string again for every value, half of
#: the messages' rows' time
_WRITTEN = {
    "Y-m-d": ("{0.year:04d}-{0.month:02d}-{0.day:02d}", datetime.date),
    "Y-m-d H:i": (
        "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}",
        datetime.datetime,
    ),
    "Y-m-d H:i:s": (
        "{0.year:04d}-{0.month:02d}-{0.day:02d} {0.hour:02d}:{0.minute:02d}:{0.second:02d}",
        datetime.datetime,
    ),
}


def date(value, format_string: str) -> str:
    """``{{ value|date("Y-m-d H:i") }}``: in the current time zone, as Django's filter."""
    if value is None or value == "":
        return ""
    # in the current time zone as ``template_localtime`` puts it, asked directly: its
    # checks cost more than the conversion, a few hundred times on a page of rows
    if isinstance(value, datetime.datetime) and value.utcoffset() is not None:
        local = value.astimezone(get_current_timezone())
    else:
        local = value
    written, kind = _WRITTEN.get(format_string, ("", None))
    if written and isinstance(local, kind):
        return written.format(local)
    return formats.date_format(local, format_string)


@cache
def _labels(model, name: str) -> dict:
    return dict(model._meta.get_field(name).flatchoices)


def display(record, name: str):
    """``{{ release|display("stage") }}``: the label of a choice field's value, as
    ``get_stage_display()`` gives it, from the field's choices read once per process:
    Django's method makes the choices hashable again for every call, half of the release
    rows' time (issue 17). A row read as values says its labels itself."""
    if not hasattr(record, "_meta"):
        return getattr(record, f"get_{name}_display")()
    value = getattr(record, name)
    return _labels(type(record), name).get(value, value)


def linebreaksbr(value) -> str:
    """``{{ text|linebreaksbr }}``: escaped, each line break a ``<br>``, as Django's."""
    return defaultfilters.linebreaksbr(value, autoescape=True)


def pluralize(value) -> str:
    """``day{{ n|pluralize }}``: "s" unless ``n`` is one, as Django's."""
    return defaultfilters.pluralize(value)


def activity_url(identifier, code) -> str:
    """``{{ release.identifier|activity_url(code) }}``: an activity's page on the release."""
    return links("releases:activity", arity=2)(identifier, code)


def release_url(identifier) -> str:
    return links("releases:detail")(identifier)


def rfc_url(reference) -> str:
    return links("changes:rfc")(reference)


def url(name: str, *values) -> str:
    """``{{ url("dashboards:message", r.pk) }}``: the path ``{% url %}`` gives."""
    return links(name, arity=len(values))(*values)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.globals["url"] = url
    env.filters.update(
        date=date,
        display=display,
        linebreaksbr=linebreaksbr,
        pluralize=pluralize,
        activity_url=activity_url,
        release_url=release_url,
        rfc_url=rfc_url,
    )
    return env


class WidgetRenderer(Jinja2):
    """The forms' fields, widgets and errors written from Django's own Jinja2 templates,
    the same markup as its templates in Django's language (``FORM_RENDERER``); a widget
    that has only the latter (the admin's) is written from them. Each option of a select
    was a template include in Django's language: the release list's two filters took 1.5
    of its 25 ms (issue 17)."""

    fallback = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.fallback.get_template(template_name)
