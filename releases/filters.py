import django_filters
from django.db.models import Q

from releasemgmt.forms import GuardedForm

from .models import Application, Release, ReleaseType, Stage, Window


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


class WindowFilter(django_filters.FilterSet):
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
