import django_filters
from django.db.models import Q

from releasemgmt.forms import GuardedForm

from .models import Release, ReleaseType, Stage


class ReleaseFilter(django_filters.FilterSet):
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

    class Meta:
        model = Release
        fields = ["q", "stage", "release_type", "application"]
        form = GuardedForm

    def by_application(self, queryset, name, value):
        """The code as the pages show it (ECS) or as it is stored (ecs), on the index."""
        return queryset.filter(application__code__in={value, value.lower()})

    def search(self, queryset, name, value):
        return queryset.filter(Q(identifier__icontains=value) | Q(name__icontains=value))
