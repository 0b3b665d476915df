"""The page's figures as tables (each chart's accessible table, the CSV exports) and as
the data of its charts: one shape for all three."""

from releases.models import ReleaseType

from .flow import WORKING

TABLES = {
    "kpis": "KPIs",
    "trend": "KPIs per quarter",
    "types": "Releases per type and quarter",
    "dora": "DORA keys",
    "stages": "Time per stage",
    "threads": "Business threads' decisions",
    "parties": "Parties' activities",
    "cumulative": "Cumulative flow",
}
STAGE_LABELS = dict((s.value, s.label) for s in WORKING)
#: the tables of the flow part (``selectors.flow_report``); the others are the KPIs'
FLOW_TABLES = {"dora", "stages", "threads", "parties", "cumulative"}


def _value(figure: dict):
    return "not yet recorded" if not figure.get("recorded", True) else figure["value"]


def rows(table: str, report: dict) -> tuple[list[str], list[list]]:
    """The header and the rows of one table of the report."""
    if table == "kpis":
        return (
            [
                "KPI",
                "group",
                "value",
                "numerator",
                "denominator",
                "previous value",
                "previous numerator",
                "previous denominator",
                "definition",
            ],
            [
                [
                    k["name"],
                    k["group"],
                    _value(k),
                    k["numerator"],
                    k["denominator"],
                    _value(k["previous"]),
                    k["previous"]["numerator"],
                    k["previous"]["denominator"],
                    k["definition"],
                ]
                for k in report["kpis"]
            ],
        )
    if table == "trend":
        recorded = [k for k in report["kpis"] if k["recorded"]]
        return (
            ["quarter", *[k["name"] for k in recorded]],
            [
                [q["quarter"], *[q["kpis"][k["slug"]]["value"] for k in recorded]]
                for q in report["trend"]
            ],
        )
    if table == "types":
        return (
            ["quarter", *[label for _, label in ReleaseType.choices]],
            [[q["quarter"], *[q["types"][t] for t in ReleaseType.values]] for q in report["trend"]],
        )
    if table == "dora":
        return (
            ["key", "value", "unit", "85th percentile", "count", "previous value", "definition"],
            [
                [
                    d["name"],
                    d["value"],
                    d["unit"],
                    d.get("p85"),
                    d["numerator"],
                    d["previous"]["value"],
                    d["definition"],
                ]
                for d in report["dora"]
            ],
        )
    if table == "stages":
        return (
            ["stage", "stays ended", "median hours", "85th percentile hours"],
            [[s["label"], s["n"], s["median"], s["p85"]] for s in report["stages"]],
        )
    if table in ("threads", "parties"):
        return (
            ["party", "count", "median hours", "85th percentile hours"],
            [[p["party"], p["n"], p["median"], p["p85"]] for p in report[table]],
        )
    return (
        ["month", *[STAGE_LABELS[s] for s in STAGE_LABELS]],
        [[m["month"], *[m[s] for s in STAGE_LABELS]] for m in report["cumulative"]],
    )


def trend_table(report: dict) -> dict:
    """The page's table of the KPIs per quarter: the recorded percentages and the total
    releases of each quarter, read once here (matched in the template, KPI by quarter by
    KPI, they were two thirds of the page's time; issue 17)."""
    recorded = [k for k in report["kpis"] if k["recorded"] and k["percent"]]
    return {
        "columns": [k["name"] for k in recorded],
        "rows": [
            {
                "quarter": q["quarter"],
                "figures": [q["kpis"][k["slug"]]["value"] for k in recorded],
                "total": q["kpis"]["total"]["value"] if "total" in q["kpis"] else None,
            }
            for q in report["trend"]
        ],
    }


def charts(report: dict) -> dict:
    """What the charts draw (static/js/kpis.js), the same numbers as the tables."""
    trend = report["trend"]
    quarters = [q["quarter"] for q in trend]
    recorded = [k for k in report["kpis"] if k["recorded"] and k["percent"]]
    return {
        "trend": {
            "labels": quarters,
            "series": [
                {"label": k["name"], "data": [q["kpis"][k["slug"]]["value"] for q in trend]}
                for k in recorded
            ],
        },
        "types": {
            "labels": quarters,
            "series": [
                {"label": label, "data": [q["types"][t] for q in report["trend"]]}
                for t, label in ReleaseType.choices
            ],
        },
    }


def flow_charts(flow: dict) -> dict:
    """What the flow part's charts draw, the same numbers as its tables."""
    return {
        "cumulative": {
            "labels": [m["month"] for m in flow["cumulative"]],
            "series": [
                {"label": STAGE_LABELS[s], "data": [m[s] for m in flow["cumulative"]]}
                for s in STAGE_LABELS
            ],
        },
        "stages": {
            "labels": [s["label"] for s in flow["stages"]],
            "series": [
                {"label": "Median (hours)", "data": [s["median"] for s in flow["stages"]]},
                {"label": "85th percentile (hours)", "data": [s["p85"] for s in flow["stages"]]},
            ],
        },
    }
