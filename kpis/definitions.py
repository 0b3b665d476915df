"""What each KPI counts: the one place that says it, for the page, the API, the export
and the release list behind every figure.

Seed 002 section 5.3 defines eleven KPIs in three groups (frequency and planning;
quality and reliability; continuous improvement and satisfaction), each per quarter,
semester and year, as a count or as (number of releases that ... / total releases) x 100.
Each is counted here from records, never from a flag a later step may reset:

- **The releases of a period** are those whose installation is planned in it (the
  planned installation date of RM.1.1 as it stands after every re-plan), cancelled ones
  aside: a cancelled release operation is no release of the period. Every KPI's total is
  that set, narrowed by the slices (application, business thread, release type) and by
  what the reader may see (``raci.permissions.visible_releases``).
- **Major, minor**: the release type (``raci.release_types``). An emergency release
  counts in the total, in neither.
- **Overlapping**: its installation window meets the installation window of another
  release of the same application that was not cancelled: the first rule of
  ``deployments.conflicts`` (``same_application``), which seed 002 (KRI 2) names as
  "multiple overlapping releases affecting the same domains". Blackouts, maintenance
  windows and a booked coordinator are conflicts of the plan, not of two releases.
- **Requiring a rollback**: the stage history holds its RM.6.4 rollback (the
  ``roll_back`` move, ``releases.StageChange``), whatever happened after: a release
  re-authorised and installed again still required one.
- **Late**: it went live (RM.6.5, the successful installation published) after the day
  its installation was planned on when the release plan was published (RM.1.4: the
  baseline of its installation milestone). A re-plan after RM.1.4 does not excuse the
  delay. Its total is the releases of the period that went live with such a baseline.
- **Major incidents post release**: releases with a major incident recorded in hypercare
  as caused by the release (``aftercare.Incident``: major, caused by the release "yes").
- **Successful**: "deployed respecting the planning and all Move2Run criteria with no
  incidents or rollbacks": it went live (RM.6.5) within the installation baselined at
  RM.1.4 (or, with no baseline, on or before its planned day), every Move2Run item of its
  checklist done (none waived, none still carried), no incident recorded as caused by
  the release, and never rolled back.
- **Customer satisfaction**: the average score (0-10) of the satisfaction answers
  (``satisfaction.Survey``) about the releases of the period.
- **Post-release review coverage, documented lessons**: releases with a post-release
  review (``aftercare.PostReleaseReview``), with at least one lesson learned
  (``aftercare.Lesson``).

Each release's answers to these questions are kept in ``kpis.models.ReleaseFacts`` by the
events that change them (``kpis.facts``, worked out by the expressions below), so that a
period's figures are counted over one narrow table.

The DORA keys and the flow of the process are in ``kpis.flow``.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import TruncQuarter, Upper

from releasemgmt.windows import overlaps
from releases.models import ActivityRecord, Milestone, ReleaseType, Stage, StageChange
from releases.stages import ActivityStatus

from .models import ReleaseFacts

#: the activity whose record says a release went live: the successful installation
LIVE = "RM.6.5"

FREQUENCY = "Frequency & planning"
QUALITY = "Quality & reliability"
IMPROVEMENT = "Continuous improvement & satisfaction"


@dataclass(frozen=True)
class Kpi:
    """One KPI of seed 002 section 5.3. ``counted`` and ``base`` are conditions on the
    releases of the period as ``annotated`` gives them: the numerator and the
    denominator. ``counted`` None: the records it counts are not kept yet."""

    slug: str
    name: str
    group: str
    definition: str
    counted: Q | None
    base: Q
    percent: bool = True
    numerator: str = ""
    denominator: str = "releases of the period"
    waits_for: str = ""
    #: the figure is an average score over the answers, not a count of releases
    average: bool = False


def went_live_at():
    """When the release went live: its RM.6.5 record, done (a release rolled back from
    hypercare and re-authorised goes live again in its new round: the later one)."""
    return Subquery(
        ActivityRecord.objects.filter(
            release=OuterRef("pk"), activity__code=LIVE, status=ActivityStatus.DONE
        )
        .order_by()
        .values("performed_at")[:1]
    )


def baseline_end():
    """The end of the installation day as planned when RM.1.4 published the plan."""
    return Subquery(
        Milestone.objects.filter(release=OuterRef("pk"), kind=Milestone.Kind.INSTALLATION)
        .order_by()
        .values("baseline_ends_at")[:1]
    )


def rolled_back():
    """The stage history holds a rollback (RM.6.4) of the release."""
    return Exists(StageChange.objects.filter(release=OuterRef("pk"), transition="roll_back"))


def overlapping():
    """Its installation window meets another release's of the same application."""
    others = (
        Milestone.objects.alias(what=Upper("kind"))
        .filter(
            # the windows' range index finds the few that meet (releasemgmt.windows); their
            # kind is read from the rows found, not from the index of every installation
            overlaps("starts_at", "ends_at", OuterRef("starts_at"), OuterRef("ends_at")),
            what=Milestone.Kind.INSTALLATION.upper(),
            release__application_id=OuterRef("release__application_id"),
        )
        .exclude(Q(release_id=OuterRef("release_id")) | Q(release__stage=Stage.CANCELLED))
    )
    return Exists(
        Milestone.objects.filter(release=OuterRef("pk"), kind=Milestone.Kind.INSTALLATION).filter(
            Exists(others)
        )
    )


def annotated(releases):
    """``releases`` with what the KPIs ask of each, computed by the database."""
    return releases.annotate(
        live_at=went_live_at(),
        baseline_end=baseline_end(),
        rolled_back=rolled_back(),
        overlapping=overlapping(),
    )


WENT_LIVE_PLANNED = Q(live_at__isnull=False, baseline_end__isnull=False)
ANSWERED = Q(satisfaction_answers__gt=0)

KPIS = [
    Kpi(
        "total",
        "Total number of releases",
        FREQUENCY,
        "Every release whose installation is planned in the period (major, minor and "
        "emergency), cancelled ones aside.",
        Q(),
        Q(),
        percent=False,
        numerator="releases of the period",
        denominator="",
    ),
    Kpi(
        "major",
        "% of major releases",
        FREQUENCY,
        "Major releases / total releases x 100.",
        Q(release_type=ReleaseType.MAJOR),
        Q(),
        numerator="major releases",
    ),
    Kpi(
        "minor",
        "% of minor releases",
        FREQUENCY,
        "Minor releases / total releases x 100.",
        Q(release_type=ReleaseType.MINOR),
        Q(),
        numerator="minor releases",
    ),
    Kpi(
        "overlapping",
        "% of overlapping releases",
        FREQUENCY,
        "Releases whose installation window meets the installation window of another "
        "(not cancelled) release of the same application / total releases x 100.",
        Q(overlapping=True),
        Q(),
        numerator="overlapping releases",
    ),
    Kpi(
        "rollback",
        "% of releases requiring a rollback",
        QUALITY,
        "Releases rolled back at least once (RM.6.4, kept in the stage history even when "
        "re-authorised and installed again) / total releases x 100.",
        Q(rolled_back=True),
        Q(),
        numerator="releases rolled back",
    ),
    Kpi(
        "major-incidents",
        "% of major incidents post release",
        QUALITY,
        "Releases with a major incident recorded in hypercare as caused by the release / "
        "total releases x 100.",
        Q(major_incident=True),
        Q(),
        numerator="releases with a major incident they caused",
    ),
    Kpi(
        "late",
        "% of late releases",
        QUALITY,
        "Releases that went live (RM.6.5) after the installation day planned when the "
        "release plan was published (RM.1.4 baseline) / releases of the period that "
        "went live x 100. A re-plan after RM.1.4 does not excuse the delay.",
        Q(late=True),
        WENT_LIVE_PLANNED,
        numerator="late releases",
        denominator="releases of the period that went live",
    ),
    Kpi(
        "successful",
        "% of successful releases",
        QUALITY,
        "Releases that went live within the installation planned at RM.1.4, with every "
        "Move2Run item done, no incident caused by the release and no rollback / total "
        "releases x 100.",
        Q(successful=True),
        Q(),
        numerator="successful releases",
    ),
    Kpi(
        "satisfaction",
        "Customer satisfaction score",
        IMPROVEMENT,
        "Average score of the satisfaction form about the process, out of 10, over the "
        "answers about the releases of the period.",
        ANSWERED,
        ANSWERED,
        percent=False,
        numerator="average score",
        denominator="answers",
        average=True,
    ),
    Kpi(
        "review-coverage",
        "Post-release review coverage",
        IMPROVEMENT,
        "Releases with a post-release review / total releases x 100.",
        Q(reviewed=True),
        Q(),
        numerator="releases reviewed",
    ),
    Kpi(
        "lessons",
        "Documented lessons learned",
        IMPROVEMENT,
        "Releases with documented lessons learned or best practices / total releases x 100.",
        Q(lessons=True),
        Q(),
        numerator="releases with lessons",
    ),
]
BY_SLUG = {k.slug: k for k in KPIS}


def of_period(facts, start, end):
    """The releases of a period, as their facts: installation planned in it, not
    cancelled."""
    facts = facts.filter(cancelled=False)
    if start:
        facts = facts.filter(planned_on__gte=start)
    if end:
        facts = facts.filter(planned_on__lte=end)
    return facts


def facts_of(scope):
    """The facts of the releases in ``scope`` (a subquery of release ids; None: all)."""
    facts = ReleaseFacts.objects.all()
    return facts if scope is None else facts.filter(release_id__in=scope)


def ratio(numerator: int, denominator: int, percent: bool = True):
    if not percent:
        return numerator
    return round(100 * numerator / denominator, 1) if denominator else None


def _counts(prefix: str, within: Q) -> dict:
    """The aggregates of every KPI, numerator and denominator, within ``within``."""
    counts = {}
    for kpi in KPIS:
        if kpi.average:
            counts[f"{prefix}{kpi.slug}"] = Sum("satisfaction_sum", filter=within)
            counts[f"{prefix}{kpi.slug}_base"] = Sum("satisfaction_answers", filter=within)
            continue
        counts[f"{prefix}{kpi.slug}"] = Count("pk", filter=within & kpi.counted)
        counts[f"{prefix}{kpi.slug}_base"] = Count("pk", filter=within & kpi.base)
    return counts


def _figure(kpi: Kpi, row: dict, prefix: str) -> dict:
    numerator = row[f"{prefix}{kpi.slug}"] or 0
    denominator = row[f"{prefix}{kpi.slug}_base"] or 0
    if kpi.average:
        return {
            "recorded": True,
            "value": round(numerator / denominator, 1) if denominator else None,
            "numerator": round(numerator / denominator, 1) if denominator else None,
            "denominator": denominator,
        }
    return {
        "recorded": True,
        "value": ratio(numerator, denominator, kpi.percent),
        "numerator": numerator,
        "denominator": denominator if kpi.percent else None,
    }


def figures(scope, period, previous) -> list[dict]:
    """Every KPI over ``period`` and ``previous``, in one query over the facts."""
    now = Q(planned_on__range=(period.start, period.end))
    before = Q(planned_on__range=(previous.start, previous.end))
    population = of_period(
        facts_of(scope), min(period.start, previous.start), max(period.end, previous.end)
    )
    return _figures(population.aggregate(**_counts("c_", now), **_counts("p_", before)))


def figures_of_quarters(found: dict, quarters, period, previous) -> list[dict] | None:
    """``figures`` added up from the counts of each quarter (``quarterly``), when
    ``period`` and ``previous`` are each whole quarters among ``quarters`` (a quarter, a
    semester, a year and the one before it are, within the trend's eight); None when
    not. Every count is a count or a sum: a year's is its quarters' added. A year of a
    thread at 100,000 releases was read twice, once for the figures and once for the
    trend, 59 and 55 ms (issue 17)."""
    row = {}
    for prefix, part in (("c_", period), ("p_", previous)):
        inside = [q for q in quarters if part.start <= q.start and q.end <= part.end]
        if not inside or inside[0].start != part.start or inside[-1].end != part.end:
            return None
        for key in _counts("", Q()):
            row[prefix + key] = sum(found[q.start][key] or 0 for q in inside if q.start in found)
    return _figures(row)


def _figures(row: dict) -> list[dict]:
    """Each KPI of this period (``c_`` counts) and the one before (``p_``)."""
    return [
        {
            "slug": kpi.slug,
            "name": kpi.name,
            "group": kpi.group,
            "definition": kpi.definition,
            "percent": kpi.percent,
            "numerator_label": kpi.numerator,
            "denominator_label": kpi.denominator,
            "waits_for": kpi.waits_for,
            **_figure(kpi, row, "c_"),
            "previous": _figure(kpi, row, "p_"),
        }
        for kpi in KPIS
    ]


def _types() -> dict:
    return {f"type_{t}": Count("pk", filter=Q(release_type=t)) for t in ReleaseType.values}


def tallies() -> dict:
    """Every count the KPI page adds up, by name: each KPI's numerator (its slug) and
    denominator (``_base``), and the releases of each type (``type_``)."""
    return _counts("", Q()) | _types()


def quarterly(scope, quarters) -> dict:
    """{quarter's first day: its ``tallies``} over ``quarters`` (contiguous, oldest
    first), counted over the facts in one query."""
    rows = (
        of_period(facts_of(scope), quarters[0].start, quarters[-1].end)
        .annotate(quarter=TruncQuarter("planned_on"))
        .values("quarter")
        .annotate(**tallies())
        .order_by("quarter")
    )
    return {row["quarter"]: row for row in rows}


def trend(scope, quarters, found: dict | None = None) -> list[dict]:
    """Each KPI per quarter, and the releases of each type, in one query (none when the
    counts of each quarter, ``quarterly``, are given)."""
    found = quarterly(scope, quarters) if found is None else found
    empty = dict.fromkeys(tallies(), 0)
    result = []
    for quarter in quarters:
        row = found.get(quarter.start, empty)
        result.append(
            {
                "quarter": quarter.key,
                "start": quarter.start,
                "end": quarter.end,
                "types": {t: row[f"type_{t}"] for t in ReleaseType.values},
                "kpis": {kpi.slug: _figure(kpi, row, "") for kpi in KPIS},
            }
        )
    return result


def members(slug: str, part: str = "counted"):
    """The release list's filter for a KPI's numerator (or its ``base``): the releases
    whose facts the figure counts."""
    kpi = BY_SLUG[slug]

    def narrow(queryset, start, end):
        condition = kpi.counted if part == "counted" else kpi.base
        counted = of_period(ReleaseFacts.objects.filter(condition), start, end)
        return queryset.filter(pk__in=counted.values("release_id"))

    return narrow


def recorded() -> list[Kpi]:
    return [k for k in KPIS if k.counted is not None]
