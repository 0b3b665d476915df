"""Lists given as files: CSV streamed row by row (a spreadsheet of 10,000 releases never
sits in memory), XLSX written with XlsxWriter's constant memory mode to a temporary file
and streamed from it. Knows nothing of releases: a caller gives the header and the rows.

A cell a spreadsheet would read as a formula (text starting with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return) gets a leading apostrophe in CSV, so that opening the
file runs nothing. XLSX cells are written as typed strings, never as formulas."""

import csv
import datetime
import tempfile
from collections.abc import Iterable, Sequence

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone

FORMATS = ("csv", "xlsx")
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """The cell's text with nothing a spreadsheet would evaluate."""
    text = cell_text(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class _Line:
    """A file-like object whose write gives back what it was given."""

    def write(self, value):
        return value


def _csv_lines(header: Sequence[str], rows: Iterable[Sequence]):
    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(header)  # the BOM: spreadsheets then read UTF-8
    for row in rows:
        yield writer.writerow([neutralise(v) for v in row])


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    response = StreamingHttpResponse(
        (line.encode("utf-8", "replace") for line in _csv_lines(header, rows)),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    """One sheet: the header in bold, dates as dates, every other cell as text."""
    spool = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    book = xlsxwriter.Workbook(
        spool, {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    sheet = book.add_worksheet(filename[:31])
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    moment = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, list(header), bold)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if isinstance(value, datetime.datetime):
                local = timezone.localtime(value).replace(tzinfo=None)
                sheet.write_datetime(r, c, local, moment)
            elif isinstance(value, datetime.date):
                sheet.write_datetime(r, c, datetime.datetime.combine(value, datetime.time()), day)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, cell_text(value))
    book.close()
    spool.seek(0)
    return FileResponse(
        spool,
        as_attachment=True,
        filename=f"{filename}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def export_response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence]):
    """The rows as ``fmt`` (csv or xlsx), for the page's and the API's export alike."""
    if fmt == "xlsx":
        return xlsx_response(filename, header, rows)
    return csv_response(filename, header, rows)
