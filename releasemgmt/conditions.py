"""Conditions of querysets made of parts."""

from django.db.models import Q


def any_of(conditions) -> Q:
    """The rows that meet one of ``conditions`` (``Q`` objects, or expressions such as
    ``Exists``); none for no conditions. Django leaves out of the ``OR`` the empty
    ``pk IN ()`` it starts from, so one condition is asked as itself."""
    found = Q(pk__in=[])
    for condition in conditions:
        found |= condition if isinstance(condition, Q) else Q(condition)
    return found
