"""The release list and the release schedule as CSV or XLSX (issue 12, point 9): the
rows of the page, with its filters and the user's visibility, read as plain values in
one query whatever their number."""

from releasemgmt.exports import export_response

from .models import ReleaseType, Stage

#: (value read, column header) of each exported column
RELEASE_COLUMNS = [
    ("identifier", "Release"),
    ("name", "Name"),
    ("version", "Version"),
    ("application__code", "Application"),
    ("application__name", "Application name"),
    ("release_type", "Type"),
    ("stage", "Stage"),
    ("planned_delivery_date", "Planned delivery"),
    ("planned_installation_date", "Planned installation"),
    ("coordinator", "Deployment coordinator"),
]
SCHEDULE_COLUMNS = [*RELEASE_COLUMNS, ("published_at", "Published")]

_LABELS = {"release_type": dict(ReleaseType.choices), "stage": dict(Stage.choices)}


def _rows(queryset, columns):
    fields = [name for name, _ in columns]
    labels = [_LABELS.get(name) for name in fields]
    for values in queryset.values_list(*fields).iterator(chunk_size=2000):
        yield [
            (label.get(value, value) if label else value)
            for label, value in zip(labels, values, strict=True)
        ]


def export_releases(queryset, fmt: str, *, schedule: bool = False):
    """``queryset`` (already narrowed to what the user may see and filtered) as a file."""
    columns = SCHEDULE_COLUMNS if schedule else RELEASE_COLUMNS
    name = "release-schedule" if schedule else "releases"
    return export_response(fmt, name, [h for _, h in columns], _rows(queryset, columns))
