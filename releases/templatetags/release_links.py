"""``{{ release.identifier|release_url }}``: the release page's path, for the pages that
link a release on each of their rows (the RfC list, the decisions owed) without
resolving the URL pattern again for each link as ``{% url %}`` does
(``releasemgmt.links``)."""

from django import template

from releasemgmt.links import links

register = template.Library()


@register.filter
def release_url(identifier) -> str:
    """The same path as ``{% url 'releases:detail' identifier %}``."""
    return links("releases:detail")(identifier)


@register.filter
def activity_url(identifier, code) -> str:
    """The same path as ``{% url 'releases:activity' identifier code %}``: the record
    links each of the release's activities."""
    return links("releases:activity", arity=2)(identifier, code)
