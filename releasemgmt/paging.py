"""Pages whose total is counted by a cheaper query than the COUNT of the list's own."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination


class Counted(Paginator):
    """A paginator given how to count its rows, where a cheaper query than the COUNT of
    the list's own query exists."""

    def __init__(self, object_list, per_page, counter):
        super().__init__(object_list, per_page)
        self.counter = counter

    @cached_property
    def count(self) -> int:
        return self.counter()


class CountedPagination(PageNumberPagination):
    """The API's page of a list whose view says how to count it (``view.rows_counter()``
    gives a function, or None for the list's own COUNT: another action's rows), as the
    web list does with ``Counted``."""

    def paginate_queryset(self, queryset, request, view=None):
        counter = view.rows_counter() if view is not None else None
        if counter is None:
            self.django_paginator_class = Paginator
        else:
            self.django_paginator_class = lambda rows, size: Counted(rows, size, counter)
        return super().paginate_queryset(queryset, request, view)
