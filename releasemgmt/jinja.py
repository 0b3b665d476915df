"""The Jinja2 environment of the hot partials (issue 17).

Django's template language resolves every variable through a chain of lookups: the
release record's 24 activity rows and 25 audit entries took 10 to 12 ms to render of a
60 ms answer at 10,000 releases; compiled by Jinja2 to Python, the same markup takes 3
(``docs/quality.md``). Only partials that loop over many rows and hold no form are
written for it (named ``*.jinja`` next to the pages that include them); every page and
form stays in Django's language.

The filters are the few such partials need, with Django's meanings: ``date`` localises
and formats as Django's ``date`` filter does; ``activity_url`` is the path the URL
pattern makes (``releasemgmt.links``)."""

from django.utils import formats
from django.utils.timezone import template_localtime
from jinja2 import Environment

from releasemgmt.links import links


def date(value, format_string: str) -> str:
    """``{{ value|date("Y-m-d H:i") }}``: in the current time zone, as Django's filter."""
    if value in (None, ""):
        return ""
    return formats.date_format(template_localtime(value), format_string)


def activity_url(identifier, code) -> str:
    """``{{ release.identifier|activity_url(code) }}``: an activity's page on the release."""
    return links("releases:activity", arity=2)(identifier, code)


def environment(**options) -> Environment:
    env = Environment(**options)
    env.filters.update(date=date, activity_url=activity_url)
    return env
