from collections.abc import Callable

import django_filters
from django.db.models import Q

from raci.models import Assignment
from releasemgmt.filtering import FilterSet
from releasemgmt.forms import GuardedForm

from .models import Application, Release, ReleaseType, Stage, Window

#: the releases behind each figure of the KPI page, registered by the room that counts
#: them (``kpis``, when it is ready) so that the list and the figure share one
#: definition: slug -> (label, narrow(queryset, start, end))
KPI_FILTERS: dict[str, tuple[str, Callable]] = {}


def register_kpi_filter(slug: str, label: str, narrow: Callable) -> None:
    """``narrow(queryset, start, end)`` gives the releases of ``queryset`` counted by the
    figure ``slug`` over the days from ``start`` to ``end`` (either may be None)."""
    KPI_FILTERS[slug] = (label, narrow)


def _kpi_choices():
    return [(slug, label) for slug, (label, _) in KPI_FILTERS.items()]


class ReleaseFilter(FilterSet):
    """Filters of the release list and the API list; each is backed by an index."""

    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.ChoiceFilter(choices=Stage.choices, empty_label="Any stage")
    release_type = django_filters.ChoiceFilter(choices=ReleaseType.choices, empty_label="Any type")
    application = django_filters.CharFilter(method="by_application", label="Application")
    installation_from = django_filters.DateFilter(
        field_name="planned_installation_date", lookup_expr="gte"
    )
    installation_to = django_filters.DateFilter(
        field_name="planned_installation_date", lookup_expr="lte"
    )
    thread = django_filters.CharFilter(method="by_thread", label="Business thread")
    kpi = django_filters.ChoiceFilter(
        choices=_kpi_choices, method="by_kpi", empty_label="Any", label="Counted by KPI"
    )
    kpi_from = django_filters.DateFilter(method="within_kpi", label="KPI period from")
    kpi_to = django_filters.DateFilter(method="within_kpi", label="KPI period to")

    class Meta:
        model = Release
        fields = ["q", "stage", "release_type", "application"]
        form = GuardedForm

    def counter(self):
        """How the list's total is counted (``releasemgmt.paging.Counted``): up to the
        pager's bound, as the RfC list is (a thread sees 19,000 releases at 100,000: 20 ms
        to count them all, 4 up to the bound; issue 17). Exactly (None: the list's own
        COUNT) when the list shows a KPI's releases, whose page says how many it counted."""
        if self.form.is_valid() and self.form.cleaned_data.get("kpi"):
            return None
        rows = self.qs.order_by().values("pk")
        return lambda up_to: rows[: up_to + 1].count()

    def by_thread(self, queryset, name, value):
        """The releases a business thread (its slug, a3-cust) is assigned to (RM.1.2)."""
        assigned = Assignment.objects.filter(party__slug=value).values("release_id")
        return queryset.filter(id__in=assigned)

    def by_kpi(self, queryset, name, value: str):
        """The releases behind a figure of the KPI page, over ``kpi_from`` to ``kpi_to``."""
        data = self.form.cleaned_data
        return KPI_FILTERS[value][1](queryset, data.get("kpi_from"), data.get("kpi_to"))

    def within_kpi(self, queryset, name, value):
        """The bounds of ``kpi``: read by ``by_kpi``, nothing to filter on their own."""
        return queryset

    def by_application(self, queryset, name, value):
        """The code as the pages show it (ECS) or as it is stored (ecs), on the index."""
        return queryset.filter(application__code__in={value, value.lower()})

    def search(self, queryset, name, value):
        return queryset.filter(Q(identifier__icontains=value) | Q(name__icontains=value))


class WindowFilter(FilterSet):
    """Filters of the windows' list, web and API: the kind, and an application (its own
    windows and the global blackouts: every window that holds for its installations)."""

    kind = django_filters.ChoiceFilter(choices=Window.Kind.choices, empty_label="Any kind")
    application = django_filters.ModelChoiceFilter(
        queryset=Application.objects.order_by("code"),
        to_field_name="code",
        method="for_application",
        empty_label="Any application",
        help_text="The code of an application: its windows and the global blackouts.",
    )

    class Meta:
        model = Window
        fields = ["kind", "application"]
        form = GuardedForm

    def for_application(self, queryset, name, value):
        return queryset.filter(
            Q(application=value) | Q(application__isnull=True, business_thread__isnull=True)
        )
