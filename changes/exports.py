"""The change schedule as CSV or XLSX (issue 12, point 9): the rows of the page, with its
window, its application and the user's visibility."""

from releasemgmt.exports import export_response

SCHEDULE_HEADER = [
    "RfC",
    "Title",
    "Applications",
    "Status",
    "Planned start",
    "Planned end",
    "Outage start",
    "Outage end",
    "Release",
    "Overlaps",
]


def _rows(slots):
    for slot in slots:
        rfc = slot.rfc
        yield [
            rfc.reference,
            rfc.title,
            " ".join(code.upper() for code in slot.applications),
            rfc.get_status_display(),
            rfc.planned_start,
            rfc.planned_end,
            rfc.outage_start,
            rfc.outage_end,
            rfc.release.identifier if rfc.release_id else "",
            slot.overlap_count,
        ]


def export_schedule(slots, fmt: str):
    """``slots`` (``selectors.change_schedule``: bounded, read in a fixed number of
    queries) as a file."""
    return export_response(fmt, "change-schedule", SCHEDULE_HEADER, _rows(slots))
