"""Paths of pages for many values at once (the calendar's entries, the change schedule's
links, the rows of the lists): the pattern reversed once, the values put in, where
``reverse`` would resolve the pattern again for every row (about 14 µs each; pages link
hundreds)."""

import re
from functools import cache
from urllib.parse import quote

from django.urls import NoReverseMatch, reverse

#: what a path segment keeps as it is (``reverse`` quotes the rest)
SAFE = "!$&'()*+,;=~:@"
#: what ``quote`` never changes: such a value goes in as it is
_PLAIN = re.compile(r"[A-Za-z0-9._~-]+")
_NUMBER = re.compile(r"[0-9]+")


class Links:
    """The path of the page named ``name`` for its values (a release; a release and a
    decision's kind; a package's number): the same path as ``reverse(name, args=values)``.
    A value its pattern would refuse (an empty one, a slash, not a number where a number
    goes) is left to ``reverse``, which says so."""

    def __init__(self, name: str, arity: int = 1, fixed: tuple = ()):
        self.name = name
        self.fixed = tuple(fixed)  # the leading values, the same for every row
        self.numbers = False
        marks = [f"__value{n}__" for n in range(arity)]
        try:
            path = reverse(name, args=[*self.fixed, *marks])
        except NoReverseMatch:  # a number in the path (``<int:pk>``): numbers as marks
            self.numbers = True
            marks = [str(9_876_543_210 + n) for n in range(arity)]
            path = reverse(name, args=[*self.fixed, *marks])
        self.parts = None
        if all(path.count(mark) == 1 for mark in marks):  # else: ``reverse`` each time
            self.parts = []
            for mark in marks:
                head, _, path = path.partition(mark)
                self.parts.append(head)
            self.parts.append(path)

    def __call__(self, *values) -> str:
        if self.parts is None:
            return reverse(self.name, args=[*self.fixed, *values])
        path = self.parts[0]
        for value, part in zip(values, self.parts[1:], strict=True):
            text = str(value)
            if self.numbers:
                if isinstance(value, bool) or not _NUMBER.fullmatch(text):
                    return reverse(self.name, args=[*self.fixed, *values])
            elif not _PLAIN.fullmatch(text):  # most identifiers need no quoting
                if not text or "/" in text:
                    return reverse(self.name, args=[*self.fixed, *values])
                text = quote(text, safe=SAFE)
            path += text + part
        return path


@cache
def links(name: str, arity: int = 1, fixed: tuple = ()) -> Links:
    """``Links`` of the page named ``name`` (after the ``fixed`` values), made once per
    process (the template filters that link rows: ``rfc_url``, ``release_url``,
    ``decide_url``; the files' downloads)."""
    return Links(name, arity, fixed)
