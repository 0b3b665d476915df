"""``{{ release.identifier|decide_url:kind }}``: the path of the page where a business
thread records a decision of ``kind`` on the release, for the lists of decisions owed
(up to a hundred rows) without resolving the URL pattern again for each row as
``{% url %}`` does (``releasemgmt.links``)."""

from django import template

from releasemgmt.links import links

register = template.Library()


@register.filter
def decide_url(identifier, kind) -> str:
    """The same path as ``{% url 'deployments:decide' identifier kind %}``."""
    return links("deployments:decide", arity=2)(identifier, kind)
