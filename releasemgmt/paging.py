"""Pages whose total is counted by a cheaper query than the COUNT of the list's own, and
only up to a bound: a list a user sees grows with the years (a business thread sees
80,000 RfCs at 100,000 releases), and counting all of it would cost more than the page.
Past the bound the pager says "more than" and still links the next page, known from
one row more than the page."""

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.utils.functional import cached_property
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

#: the most rows a list counts; past it the total is "more than" this
COUNT_UP_TO = 1_000
#: the furthest page of a list counted only up to the bound (a page number, not a row)
MOST_PAGES = 1_000_000


def page_number(asked) -> int:
    """The page a ``?page=`` asks for, the first for anything not a page number (as
    Django's ``get_page`` does): a list whose rows are settled in Python, not sliced
    by a paginator."""
    try:
        number = int(asked)
    except (TypeError, ValueError):
        return 1
    return number if 1 <= number <= MOST_PAGES else 1


class Counted(Paginator):
    """A paginator given how to count its rows: ``counter(up_to)`` answers the exact
    number when it is at most ``up_to``, and any larger number otherwise."""

    def __init__(self, object_list, per_page, counter, up_to: int | None = None):
        super().__init__(object_list, per_page)
        self.counter = counter
        self.up_to = COUNT_UP_TO if up_to is None else up_to

    @cached_property
    def count(self) -> int:
        return min(self.counter(self.up_to), self.up_to + 1)

    @property
    def exact(self) -> bool:
        """Whether ``count`` is the total (otherwise there are more than ``up_to``)."""
        return self.count <= self.up_to

    def page(self, number):
        if self.exact:
            return super().page(number)
        # Past the bound the last page is unknown: any page is served, and one row more
        # than a page says whether another follows.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return OpenEndedPage(rows[: self.per_page], number, self, more=len(rows) > self.per_page)

    def validate_number(self, number):
        if self.exact:
            return super().validate_number(number)
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        if number < 1:
            raise EmptyPage("That page number is less than 1")
        if number > MOST_PAGES:
            raise EmptyPage("That page contains no results")
        return number

    def get_page(self, number):
        """As Django's, but a page past the end of an uncounted list is the first."""
        try:
            return super().get_page(number)
        except EmptyPage:
            return self.page(1)


class Walked(Counted):
    """A paginator whose count and page come from one walk of the list's keys in its
    order, up to the bound (or to the end of the page asked, past it): ``object_list``
    is the ordered queryset of the list's primary keys, ``rows(keys)`` reads the rows of
    a page's keys in their order. A list whose every query first builds the set of what
    the user may see (a business thread's RfCs: its 19,000 releases at 100,000) built it
    twice, to count and to page; here once, and a page's rows are read by their keys
    (issue 17)."""

    def __init__(self, keys, per_page, rows, up_to: int | None = None):
        super().__init__(keys, per_page, self._walked_count, up_to)
        self.rows = rows
        self.walked: list = []
        self.ended = False

    def _walk(self, wanted: int) -> list:
        """The first ``wanted`` keys (fewer at the end), walked again only for more."""
        if len(self.walked) < wanted and not self.ended:
            self.walked = list(self.object_list[:wanted])
            self.ended = len(self.walked) < wanted
        return self.walked

    def _walked_count(self, up_to: int) -> int:
        return len(self._walk(up_to + 1))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        keys = self._walk(top + 1)
        rows = self.rows(keys[bottom:top]) if keys[bottom:top] else []
        if self.exact:
            return Page(rows, number, self)
        if not rows and number > 1:
            raise EmptyPage("That page contains no results")
        return OpenEndedPage(rows, number, self, more=len(keys) > top)


class CountedApart(Paginator):
    """A paginator told its count: the rows it pages join records their count need not
    read (a CAB's agenda is counted without its RfCs)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self.count = count


class OpenEndedPage(Page):
    """A page of a list counted only up to its bound."""

    def __init__(self, object_list, number, paginator, *, more: bool):
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more


class FiltersOnView(DjangoFilterBackend):
    """django-filter's back end, which leaves the filter set it made on the view
    (``view.filterset``): a view counting its rows apart (``rows_counter``) counts them
    with the filters already made and checked (issue 17: making them again was a sixth
    of the API's release list)."""

    def get_filterset(self, request, queryset, view):
        view.filterset = super().get_filterset(request, queryset, view)
        return view.filterset


class CountedPagination(PageNumberPagination):
    """The API's page of a list whose view says how to count it (``view.rows_counter()``
    gives a function of the bound, or None for the list's own COUNT: another action's
    rows), as the web list does with ``Counted``; or, when the view reads its rows by
    their keys (``view.rows_of_keys()`` gives ``Walked``'s ``rows``, the queryset paged
    being the keys), counted and paged from one walk. Past the bound ``count`` is null,
    as GitLab's API leaves out its total past a bound; ``next`` still walks every row."""

    def paginate_queryset(self, queryset, request, view=None):
        reader = getattr(view, "rows_of_keys", lambda: None)()
        if reader is not None:
            self.django_paginator_class = lambda keys, size: Walked(keys, size, reader)
            return super().paginate_queryset(queryset, request, view)
        counter = view.rows_counter() if view is not None else None
        if counter is None:
            self.django_paginator_class = Paginator
        else:
            self.django_paginator_class = lambda rows, size: Counted(rows, size, counter)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        exact = getattr(paginator, "exact", True)
        return Response(
            {
                "count": paginator.count if exact else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"].update(
            nullable=True,
            description=f"How many rows in all; null when there are more than {COUNT_UP_TO:,} "
            "(follow `next` to read them all).",
        )
        return answer
