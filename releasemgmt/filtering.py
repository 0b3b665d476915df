"""The filter sets of the lists, web and API (django-filter), without the work django-filter
does again on every request although it never changes: a deep copy of every filter, and a
new form class made of new fields. On the release list they were 0.4 ms and 0.35 ms of a
request whose own work the list's budget counts in single milliseconds (issue 17)."""

import copy

import django_filters
from django.http import QueryDict


class FilterSet(django_filters.FilterSet):
    """A django-filter ``FilterSet`` whose form class is made once per filter set and
    model, as a Django form's is: each form still deep-copies its fields, so no request
    sees another's. Its filters are copied shallowly: none keeps anything of a request
    but its filter set (``parent``), which each copy is given. A filter whose queryset is
    made from the request (a callable) would be frozen by the first request: such a set
    keeps django-filter's own way."""

    _form_classes: dict = {}
    _request_free: dict = {}

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        if not self._kept():
            super().__init__(data, queryset, request=request, prefix=prefix)
            return
        if queryset is None:
            queryset = self._meta.model._default_manager.all()
        self.is_bound = data is not None
        self.data = data or QueryDict()
        self.queryset = queryset
        self.request = request
        self.form_prefix = prefix
        model = queryset.model
        self.filters = {name: self._copy(f, model) for name, f in self.base_filters.items()}

    @classmethod
    def _kept(cls) -> bool:
        """Whether no filter of the set reads the request (asked once per set)."""
        kept = FilterSet._request_free.get(cls)
        if kept is None:
            filters = cls.base_filters.values()
            kept = FilterSet._request_free[cls] = not any(
                callable(f.extra.get("queryset")) for f in filters
            )
        return kept

    def _copy(self, original, model):
        made = copy.copy(original)
        if original.method is not None:  # its FilterMethod must call this set's method
            made.method = original.method
        made.model, made.parent = model, self
        return made

    def get_form_class(self):
        if not self._kept():
            return super().get_form_class()
        key = (type(self), self.queryset.model)
        form_class = FilterSet._form_classes.get(key)
        if form_class is None:
            form_class = FilterSet._form_classes[key] = super().get_form_class()
        return form_class
