"""``{{ rfc.reference|rfc_url }}``: the RfC page's path, for the pages that link hundreds
of RfCs (the change schedule, a CAB's agenda, the lists) without resolving the URL
pattern again for each link as ``{% url %}`` does (``releasemgmt.links``)."""

from functools import cache

from django import template

from releasemgmt.links import Links

register = template.Library()


@cache
def _rfc_page() -> Links:
    return Links("changes:rfc")


@register.filter
def rfc_url(reference) -> str:
    """The same path as ``{% url 'changes:rfc' reference %}``."""
    return _rfc_page()(reference)
