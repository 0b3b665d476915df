"""Paths of pages for many values at once (the calendar's entries, the change schedule's
links, the rows of the lists): the pattern reversed once, the values put in, where
``reverse`` would resolve the pattern again for every row (about 14 µs each; pages link
hundreds)."""

from functools import cache
from urllib.parse import quote

from django.urls import reverse


class Links:
    """The path of the page named ``name`` for its values (a release; a release and a
    decision's kind): the same path as ``reverse(name, args=values)``."""

    def __init__(self, name: str, arity: int = 1):
        marks = [f"__value{n}__" for n in range(arity)]
        path = reverse(name, args=marks)
        self.parts = []
        for mark in marks:
            head, _, path = path.partition(mark)
            self.parts.append(head)
        self.parts.append(path)

    def __call__(self, *values) -> str:
        path = self.parts[0]
        for value, part in zip(values, self.parts[1:], strict=True):
            path += quote(str(value), safe="!$&'()*+,;=~:@") + part
        return path


@cache
def links(name: str, arity: int = 1) -> Links:
    """``Links`` of the page named ``name``, made once per process (the template filters
    that link rows: ``rfc_url``, ``release_url``, ``decide_url``)."""
    return Links(name, arity)
