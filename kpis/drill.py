"""The release list behind every figure: each KPI's numerator and denominator and each
DORA key, registered with the list's filters (``releases.filters.KPI_FILTERS``) when the
room is ready, so that the list counts exactly what the figure counts."""

from django.db.models import Exists, OuterRef

from changes.models import RfC
from releases.filters import register_kpi_filter
from releases.models import StageChange

from . import definitions, flow
from .periods import moments


def _deployed(queryset, start, end):
    """Releases installed in production (RM.6.5) between the two days."""
    live = flow.installations(None, *moments(start, end))
    return queryset.filter(pk__in=live.values("release_id"))


def _lead_time(queryset, start, end):
    """Those of them that carry an authorised RfC: the lead time's releases."""
    carried = RfC.objects.filter(release=OuterRef("pk"), authorised_at__isnull=False)
    return _deployed(queryset, start, end).filter(Exists(carried))


def _rolled_back(queryset, start, end):
    """Releases rolled back (RM.6.4) between the two days."""
    low, high = moments(start, end)
    moves = StageChange.objects.filter(
        release=OuterRef("pk"), transition="roll_back", at__gte=low, at__lt=high
    )
    return queryset.filter(Exists(moves))


def register() -> None:
    for kpi in definitions.recorded():
        register_kpi_filter(kpi.slug, kpi.name, definitions.members(kpi.slug))
        register_kpi_filter(
            f"{kpi.slug}-base",
            f"{kpi.name}: {kpi.denominator or 'total'}",
            definitions.members(kpi.slug, "base"),
        )
    register_kpi_filter("deployments", "Production installations", _deployed)
    register_kpi_filter("lead-time", "Installations carrying an authorised RfC", _lead_time)
    register_kpi_filter("failed-installations", "Installations rolled back", _rolled_back)
    register_kpi_filter("restore", "Rollbacks", _rolled_back)
