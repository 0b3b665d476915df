"""The KPI page (issue 15): the eleven KPIs of seed 002 section 5.3 with their
definitions, the DORA keys, the flow of the process and their charts, for a period and
slices given in the query string; each table as CSV."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from releasemgmt.exports import csv_response

from . import selectors, tables
from .forms import KpiQueryForm


def _asked(request):
    """The bound form, and the period and slices it gives (None when it is invalid)."""
    form = KpiQueryForm(request.GET or None)
    if request.GET and not form.is_valid():
        return form, None
    if not request.GET:
        form = KpiQueryForm({})
        form.is_valid()
    data = form.cleaned_data
    slices = selectors.Slices(
        application=data.get("application"),
        thread=data.get("thread"),
        release_type=data.get("release_type") or "",
    )
    return form, (data["range"], slices)


def _export_query(request) -> str:
    query = request.GET.copy()
    query.pop("table", None)
    return query.urlencode()


@login_required
@require_GET
def kpi_page(request):
    """The KPIs of a period with the previous one and their trend; the DORA keys and
    where the process waits come on their own (``kpi_flow``, loaded by htmx when the
    page shows). A business thread sees the figures of its own releases only."""
    form, asked = _asked(request)
    if asked is None:
        return render(request, "kpis/kpis.html", {"form": form}, status=400)
    report = selectors.report(request.user, *asked)
    return render(
        request,
        "kpis/kpis.html",
        {
            "form": form,
            "report": report,
            "charts": tables.charts(report),
            "trend": tables.trend_table(report),
            "export_query": _export_query(request),
            "tables": tables.TABLES,
        },
    )


@login_required
@require_GET
def kpi_flow(request):
    """The DORA keys, the time per stage, who the process waits for and the cumulative
    flow of the same period and slices: the KPI page's part (htmx), or a page of its own
    (a bookmark, a browser without scripts)."""
    form, asked = _asked(request)
    if asked is None:
        return render(request, "kpis/flow.html", {"form": form}, status=400)
    flow = selectors.flow_report(request.user, *asked)
    context = {
        "flow": flow,
        "flow_charts": tables.flow_charts(flow),
        "export_query": _export_query(request),
    }
    if request.htmx:
        return render(request, "kpis/_flow.html", context)
    return render(request, "kpis/flow.html", context)


@login_required
@require_GET
def kpi_export(request):
    """One table of the page (``table``, the KPIs by default) as CSV, with the page's
    period and slices."""
    table = request.GET.get("table", "kpis")
    if table not in tables.TABLES:
        raise Http404("No such table.")
    form, asked = _asked(request)
    if asked is None:
        return render(request, "kpis/kpis.html", {"form": form}, status=400)
    read = selectors.flow_report if table in tables.FLOW_TABLES else selectors.report
    report = read(request.user, *asked)
    header, rows = tables.rows(table, report)
    return csv_response(f"kpis-{table}-{report['period'].key}", header, rows)
