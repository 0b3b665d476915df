"""``{{ rfc.reference|rfc_url }}``: the RfC page's path, for the pages that link hundreds
of RfCs (the change schedule, a CAB's agenda, the lists) without resolving the URL
pattern again for each link as ``{% url %}`` does (``releasemgmt.links``)."""

from django import template

from releasemgmt.links import links

register = template.Library()


@register.filter
def rfc_url(reference) -> str:
    """The same path as ``{% url 'changes:rfc' reference %}``."""
    return links("changes:rfc")(reference)
