"""Reads for activity pages, for what waits for a business thread and for the service
desk's mass notifications (fixed queries)."""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Exists, OuterRef
from django.utils import timezone

from dsl import selectors as cmdb_read
from dsl.configuration import production_differences
from dsl.models import Component, Document
from raci import permissions as raci
from raci.models import Assignment, Party
from releases.due_dates import FIELDS as POLICY_FIELDS
from releases.due_dates import DuePolicy, due_policy, lateness, milestones_of
from releases.models import ActivityRecord, Milestone, Release, ReleasePolicy, Stage

from .conflicts import conflicts_of
from .due_dates import decision_due
from .models import (
    DECISION_ACTIVITY,
    REQUESTED_IN,
    Decision,
    InboundMail,
    InstallationPlan,
    InstallationReport,
    MassNotification,
    NotificationRequest,
    OwedDecision,
    TestReport,
)
from .plan_content import ITEMS, missing_items


def _one(release, relation: str):
    """A reverse one-to-one record of the release, or None while it does not exist."""
    try:
        return getattr(release, relation)
    except ObjectDoesNotExist:
        return None


def combine(*readers):
    """One ``records`` reader for an activity page from several."""

    def read(release, user) -> dict:
        context = {}
        for reader in readers:
            context |= reader(release, user)
        return context

    return read


def plan_records(release, user) -> dict:
    """RM.1.3 and after: the deployment plan, its components and tasks, the items of
    section 9.3 and what is missing of them, the risks, the phases (each with its
    installation in this round), the revisions and the rollback plan; fixed queries."""
    plan = _one(release, "deployment_plan")
    context = {"plan": plan, "rollback_plan": _one(release, "rollback_plan")}
    if plan:
        risks = list(plan.risks.all())
        phases = phase_records(release, plan)
        texts = plan.items or {}
        context |= {
            "planned_components": list(plan.components.all()),
            "tasks": list(plan.tasks.select_related("owner_party", "assignee")),
            "plan_items": [(item, texts.get(item.slug, "")) for item in ITEMS],
            "risks": risks,
            "phases": phases,
            "missing_items": missing_items(plan, risks, [p for p, _ in phases]),
            "revisions": list(plan.revisions.select_related("revised_by").order_by("-number")),
            "may_revise_plan": release.is_open and raci.may_revise_deployment_plan(user, release),
        }
    return context


def phase_records(release, plan) -> list[tuple]:
    """The plan's phases, each with its successful installation report of the release's
    current round, or None (two queries)."""
    phases = list(plan.phases.all())
    if not phases:
        return []
    reports = InstallationReport.objects.filter(
        release=release, phase__in=phases, successful=True
    ).select_related("uploaded_by")
    if release.round_started_at:
        reports = reports.filter(uploaded_at__gte=release.round_started_at)
    installed = {r.phase_id: r for r in reports}
    return [(p, installed.get(p.pk)) for p in phases]


def revision_pair(plan, first, second):
    """Two revisions of the plan by number (None for one that does not exist)."""
    found = {r.number: r for r in plan.revisions.filter(number__in=[first, second])}
    return found.get(first), found.get(second)


def conflict_records(release, user) -> dict:
    """RM.1.4: the conflicts of the installation, each with its acknowledgement if any,
    and whether this user may acknowledge them now (R or A of RM.1.4 while it is
    pending)."""
    acknowledged = {
        a.key: a for a in release.conflict_acknowledgements.select_related("acknowledged_by")
    }
    pending = release.activity_records.filter(
        activity__code="RM.1.4", status=ActivityRecord.Status.PENDING
    )
    return {
        "conflicts": [(f, acknowledged.get(f.key)) for f in conflicts_of(release)],
        "acknowledged": list(acknowledged.values()),
        "may_acknowledge": release.is_open
        and raci.may_perform(user, release, "RM.1.4")
        and pending.exists(),
    }


def rfc_records(release, user) -> dict:
    return {"rfcs": list(release.rfcs.all())}


def consistency_records(release, user) -> dict:
    checks = release.consistency_checks.select_related("recorded_by", "complementary_rfc")
    return {"checks": list(checks)}


def completeness_records(release, user) -> dict:
    return {"checks": list(release.completeness_checks.select_related("recorded_by"))}


def component_records(release, user) -> dict:
    return {"components": list(Component.objects.filter(release=release))}


def document_records(release, user) -> dict:
    return {"documents": list(Document.objects.filter(release=release))}


def kickoff_records(release, user) -> dict:
    return {
        "kickoff": _one(release, "kickoff"),
        "environment_reports": list(release.environment_reports.all()),
    }


def test_report_records(*kinds):
    def read(release, user) -> dict:
        return {"reports": list(release.test_reports.filter(kind__in=kinds))}

    return read


def installation_plan_records(release, user) -> dict:
    return {"installation_plans": list(release.installation_plans.all())}


def installation_records(release, user) -> dict:
    """RM.6: the installation reports, the rollback plan and, for a phased deployment,
    each phase with its installation."""
    plan = _one(release, "deployment_plan")
    return {
        "installation_reports": list(release.installation_reports.select_related("phase")),
        "rollback_plan": _one(release, "rollback_plan"),
        "phases": phase_records(release, plan) if plan else [],
        **cmdb_read.baseline_records(release),
    }


def closure_records(release, user) -> dict:
    """RM.6.7: production's baseline compared with the DSL (before the closure, what it
    would find; after it, what it found and any deviation accepted), and the
    configuration manager's task."""
    closure = _one(release, "closure")
    if closure is None:
        baseline, differences = production_differences(release)
    else:
        baseline, differences = None, closure.differences
    return {
        "closure": closure,
        "production_baseline": baseline,
        "differences": differences,
        "ci_task": _one(release, "ci_task"),
    }


def campaign_records(release, user) -> dict:
    campaign = _one(release, "ct_campaign")
    return {"campaign": campaign, "ct_reports": list(campaign.reports.all()) if campaign else []}


def decision_records(kind):
    """The business threads' decisions of ``kind``, and whether this user may record one
    (a user of an affected thread, or an R/A party of the activity on its behalf)."""

    def read(release, user) -> dict:
        code = DECISION_ACTIVITY[kind]
        decisions = release.decisions.filter(kind=kind).select_related(
            "business_thread", "recorded_by", "deputy_of"
        )
        return {
            "decision_kind": kind,
            "decisions": list(decisions),
            "may_decide": raci.may_perform(user, release, code)
            or bool(raci.threads_on_release(user, release)),
        }

    return read


DECISION_STAGES = [Stage.ACCEPTANCE, Stage.AUTHORISATION, Stage.INSTALLATION, Stage.CONFORMANCE]


def owed_decisions(user, limit: int = 100, *, dated: bool = True, releases=None) -> list[dict]:
    """Decisions the user's business thread(s) owe now, across their releases (those of
    ``releases``, ids, when given), in a fixed number of queries, the earliest due first:
    [{release, thread, kind, label, basis, due_date, lateness}]
    (``due_dates.decision_due``). Without ``dated`` (what is owed, not when: the
    navigation's count), the kept rows as they are (``deployments.owed``) in one
    query, with neither due date nor basis. The release and thread are the few values
    a page shows, not model instances. A deputy owes their principals' threads'
    decisions too, during the delegation."""
    return owed_decisions_page(user, 0, limit, dated=dated, releases=releases).owed


@dataclass
class OwedPage:
    """A page of the decisions owed: those of the releases ``offset`` onwards in order
    of installation, each page's own sorted by due date; ``more`` when later releases
    may owe more (``owed_decisions_page``); ``read``, how many candidates the page
    settled (a page can settle some and owe nothing)."""

    owed: list
    more: bool = False
    read: int = 0


def owed_decisions_page(
    user, offset: int, limit: int, *, dated: bool = True, releases=None
) -> OwedPage:
    """The decisions owed (as ``owed_decisions``) on the ``limit`` candidates from
    ``offset`` (a release and a thread of the user's that may owe on it), in order of
    installation: a page of a thread's approvals, which may owe thousands at 100,000
    releases (issue 17)."""
    standing_in = raci.principals(user)
    if not standing_in and not raci.is_business_thread_user(user):
        return OwedPage([])
    # the groups read first, as a list: the planner then knows how few releases of all
    # their history are in a stage that owes a decision (issue 17)
    groups = list(
        Group.objects.filter(user__in=[user.pk, *standing_in])
        .values_list("pk", flat=True)
        .distinct()
    )
    # a thread is held by its group (RM.1.2): the rows of the user's threads are walked
    # in order of installation on their index, and kept where one of the groups holds it
    threads = Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD, group__in=groups)
    holders = Assignment.objects.filter(group__in=groups)
    return _owed(
        holders,
        limit,
        dated=dated,
        threads=list(threads.values_list("pk", flat=True)),
        releases=releases,
        offset=offset,
    )


def decisions_owed_everywhere(limit: int = 5000) -> list[dict]:
    """Every decision a business thread owes now on any release (the reminders' sweep),
    as ``owed_decisions`` gives them, the release and thread as model instances (the
    reminders write to their holders)."""
    return _owed(Assignment.objects.all(), limit, instances=True).owed


#: what settling a decision owed reads of its records (``_owed_kind``, ``decision_due``)
OWED_FIELDS = {
    TestReport: ("pk", "release_id", "kind", "uploaded_at"),
    InstallationPlan: ("pk", "release_id", "version", "uploaded_at"),
    InstallationReport: ("pk", "release_id", "successful", "uploaded_at"),
    Decision: (
        *("pk", "release_id", "kind", "business_thread_id", "verdict", "recorded_at"),
        *("test_report_id", "installation_plan_id", "installation_report_id"),
    ),
}


#: the stages in which a business thread may owe a decision (``_owed``)
OWING_STAGES = (Stage.ACCEPTANCE, Stage.AUTHORISATION, Stage.INSTALLATION, Stage.CONFORMANCE)


def _owed(
    holders,
    limit: int,
    *,
    dated: bool = True,
    threads=None,
    releases=None,
    offset: int = 0,
    instances: bool = False,
) -> OwedPage:
    """The decisions owed by the business threads ``holders`` (assignments) hold, from
    ``offset`` to ``offset + limit`` in order of installation: the kept rows
    (``deployments.owed``) of a thread on a release it is held on (of ``releases``,
    ids, when given; of ``threads``, party ids, for one user). One row more than the
    page says whether more follow. The release and thread are the few values a page
    shows (``_OwedRelease``, ``_Thread``), or model instances with ``instances``."""
    rows = OwedDecision.objects.all()
    if threads is not None:
        rows = rows.filter(business_thread__in=threads)
    held = holders.filter(release=OuterRef("release"), party=OuterRef("business_thread"))
    rows = rows.filter(Exists(held))
    if releases is not None:
        rows = rows.filter(release_id__in=releases)
    rows = rows.order_by("planned_installation_date", "release_id", "business_thread_id")
    window = slice(offset, offset + limit + 1)
    if instances:
        related = rows.select_related("business_thread", "release__application__policy")
        found = [
            _Candidate(row.release_id, row.release, row.business_thread, row.kind, row.basis_at)
            for row in related[window]
        ]
    else:
        # the few values a page shows, not the releases with their applications, policies
        # and state machines: a fifth of a thread's approvals page (issue 17)
        found = _candidates(rows[window], dated=dated)
    more = len(found) > limit
    found = found[:limit]
    # the go-ahead of conformance testing is due after the installation (RM.7.1)
    ids = {a.release_id for a in found}
    milestones = milestones_of(ids, kinds=[Milestone.Kind.INSTALLATION]) if dated else {}
    owed = []
    today = timezone.localdate()
    for a in found:
        basis = _Basis(a.basis_at)
        due = (
            decision_due(
                a.release,
                a.kind,
                basis,
                milestones.get(a.release_id, {}),
                getattr(a.release, "due_policy", None),
            )
            if dated
            else None
        )
        owed.append(
            {
                "release": a.release,
                "thread": a.party,
                "kind": a.kind,
                "label": Decision.Kind(a.kind).label,
                "due_date": due,
                "lateness": lateness(due, today),
            }
        )
    owed = sorted(owed, key=lambda o: o["due_date"]) if dated else owed
    return OwedPage(owed, more, len(found))


class _Basis(NamedTuple):
    """What a decision owed rests on, as its due date reads it (``decision_due``)."""

    uploaded_at: object


class _OwedRelease(NamedTuple):
    """A release as a list of decisions owed shows it and dates them (``decision_due``);
    ``due_policy`` is None when they are not dated."""

    pk: int
    identifier: str
    name: str
    stage: str
    planned_delivery_date: object
    planned_installation_date: object
    due_policy: DuePolicy | None

    @property
    def id(self) -> int:
        return self.pk


class _Thread(NamedTuple):
    """A business thread as a list of decisions owed names it."""

    pk: int
    name: str

    @property
    def id(self) -> int:
        return self.pk

    @property
    def short_name(self) -> str:
        return Party.short_name.fget(self)


class _Candidate(NamedTuple):
    """A kept decision owed by a thread on a release, read briefly."""

    release_id: int
    release: _OwedRelease
    party: _Thread
    kind: str
    basis_at: object


#: what a candidate reads of its release and thread
_RELEASE_FIELDS = ("name", "stage", "planned_delivery_date", "planned_installation_date")


def _candidates(rows, *, dated: bool) -> list[_Candidate]:
    """The candidates of ``rows`` (kept decisions owed) as values: the release's and
    thread's few fields and, when ``dated``, the offsets of its application's policy,
    read apart (a join of five tables cost 5 ms of planning for 1.5 ms of work)."""
    fields = (
        *("release_id", "release__identifier", *(f"release__{f}" for f in _RELEASE_FIELDS)),
        *("business_thread_id", "business_thread__name", "release__application_id"),
        *("kind", "basis_at"),
    )
    found = list(rows.values_list(*fields))
    policies = _policies({row[8] for row in found}) if dated else {}
    default = due_policy(None)  # the site's, for an application without a policy
    candidates = []
    for row in found:
        release_id, identifier, name, stage, delivery, installation, party_id, thread = row[:8]
        policy = policies.get(row[8], default) if dated else None
        release = _OwedRelease(release_id, identifier, name, stage, delivery, installation, policy)
        party = _Thread(party_id, thread)
        candidates.append(_Candidate(release_id, release, party, row[9], row[10]))
    return candidates


def _policies(applications) -> dict:
    """{application id: its ``DuePolicy``} of those with a release policy."""
    rows = ReleasePolicy.objects.filter(application_id__in=applications)
    return {
        row[0]: due_policy(dict(zip(POLICY_FIELDS, row[1:], strict=True)))
        for row in rows.values_list("application_id", *POLICY_FIELDS)
    }


@dataclass
class Evidence:
    """What a release's owed decisions rest on, newest first: its test reports,
    installation plans, installation reports, the decisions taken, and the status of the
    activities that say which decision is due (RM.4.1, RM.6.4, RM.7.1)."""

    reports: list = field(default_factory=list)
    plans: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    decisions: list = field(default_factory=list)
    status: dict = field(default_factory=dict)


def _evidence(ids, decisions) -> dict:
    """{release id: Evidence} of these releases: one query per kind of record for any
    number of releases (Django's prefetch would clone a queryset per release). The
    records are rows of the fields settling reads (``OWED_FIELDS``), not model
    instances, which cost a thread's 100 decisions owed 3 of their 40 ms (issue 17)."""
    found = defaultdict(Evidence)
    for attribute, queryset in (
        ("reports", TestReport.objects.order_by("-uploaded_at")),
        ("plans", InstallationPlan.objects.order_by("-version")),
        ("failures", InstallationReport.objects.filter(successful=False).order_by("-uploaded_at")),
        ("decisions", decisions.order_by("-recorded_at")),
    ):
        rows = queryset.filter(release_id__in=ids).values_list(
            *OWED_FIELDS[queryset.model], named=True
        )
        for row in rows:
            getattr(found[row.release_id], attribute).append(row)
    statuses = ActivityRecord.objects.filter(
        release_id__in=ids, activity__code__in=["RM.4.1", "RM.6.4", "RM.7.1"]
    ).values_list("release_id", "activity__code", "status")
    for release_id, code, status in statuses:
        found[release_id].status[code] = status
    return found


def owed_kind_of(releases, threads: dict):
    """(release, thread, kind, basis) of each decision owed now on these releases (each
    with its ``pk`` and ``stage``) by the threads ``threads`` gives for it ({release
    id: threads, each with its ``id``}), from the records in a fixed number of
    queries: what ``deployments.owed`` keeps."""
    evidence = _evidence({r.pk for r in releases}, Decision.objects.all())
    for release in releases:
        for thread in threads.get(release.pk, ()):
            found = _owed_kind(release, thread, evidence[release.pk])
            if found:
                yield release, thread, *found


def _owed_kind(release: Release, thread, evidence: Evidence) -> tuple[str, object] | None:
    """The decision the thread owes on the release now, with what it rests on (the
    report or plan; the release for the go-ahead of conformance testing)."""
    status = evidence.status
    decisions = [d for d in evidence.decisions if d.business_thread_id == thread.id]

    def decided(kind, **basis):
        return any(
            d.kind == kind and all(getattr(d, f"{k}_id") == v.pk for k, v in basis.items())
            for d in decisions
        )

    reports, plans = evidence.reports, evidence.plans
    if release.stage == Stage.ACCEPTANCE:
        psat = next((r for r in reports if r.kind == TestReport.Kind.PSAT), None)
        sat = next((r for r in reports if r.kind != TestReport.Kind.PSAT), None)
        if status.get("RM.4.1") != "done":
            if psat and not decided(Decision.Kind.PSAT, test_report=psat):
                return Decision.Kind.PSAT, psat
        elif sat and not decided(Decision.Kind.SAT, test_report=sat):
            return Decision.Kind.SAT, sat
    elif release.stage == Stage.AUTHORISATION and plans:
        plan = plans[0]
        if not decided(Decision.Kind.INSTALLATION_PLAN, installation_plan=plan):
            return Decision.Kind.INSTALLATION_PLAN, plan
        approved = any(
            d.kind == Decision.Kind.INSTALLATION_PLAN
            and d.verdict == "go"
            and d.installation_plan_id == plan.pk
            for d in decisions
        )
        if approved and not decided(Decision.Kind.AUTHORISATION, installation_plan=plan):
            return Decision.Kind.AUTHORISATION, plan
    elif release.stage == Stage.INSTALLATION and status.get("RM.6.4") == "pending":
        failed = next(iter(evidence.failures), None)
        if failed and not decided(Decision.Kind.ROLLBACK, installation_report=failed):
            return Decision.Kind.ROLLBACK, failed
    elif (
        release.stage == Stage.CONFORMANCE
        and status.get("RM.7.1") == "pending"
        and not decided(Decision.Kind.CT_GO_AHEAD)
    ):
        return Decision.Kind.CT_GO_AHEAD, release
    return None


# --- the service desk's mass notifications ---------------------------------------------

#: each moment's notification as the mass notification page names it
MOMENT_NAMES = {
    MassNotification.Moment.BEFORE: "Before the installation",
    MassNotification.Moment.AFTER: "After the installation",
}


def mass_moments(release) -> list[dict]:
    """Each moment of the release's current installation round, in one query: its name,
    the activity in which the deployment coordinator asks for it (``code``), the request
    (None while not asked), and the mass notification answering it (None while not sent);
    ``to_send`` when it is asked for and not sent."""
    requests = {
        r.moment: r
        for r in release.notification_requests.of_current_round()
        .select_related("mass_notification", "recorded_by")
        .order_by("recorded_at")
    }
    moments = []
    for moment, code in REQUESTED_IN.items():
        request = requests.get(moment)
        notification = getattr(request, "mass_notification", None)
        moments.append(
            {
                "moment": moment,
                "name": MOMENT_NAMES[moment],
                "code": code,
                "request": request,
                "notification": notification,
                "to_send": request is not None and notification is None,
            }
        )
    return moments


def notifications_to_send(user, limit: int = 50) -> list[NotificationRequest]:
    """For the service desk: the deployment coordinator's requests (RM.6.1, RM.6.6) of
    the releases' current installation rounds that no mass notification answers yet,
    oldest first, in one query (none for anyone else)."""
    if not raci.may_send_mass_notifications(user):
        return []
    requests = (
        NotificationRequest.objects.of_current_round()
        .unanswered()
        .filter(release__in=raci.visible_releases(user, Release.objects.all()))
        .exclude(release__stage=Stage.CANCELLED)
        .select_related("release__application", "recorded_by")
        .order_by("recorded_at")
    )
    return list(requests[:limit])


def replies_waiting(status: str | None = None, limit: int = 500):
    """The inbound mails of the deployment coordinator's queue (issue 16), newest first:
    those waiting (queued, suspicious) unless ``status`` names another; one query."""
    rows = InboundMail.objects.select_related("request__release", "sender_user")
    rows = rows.filter(status=status) if status else rows.filter(status__in=InboundMail.OPEN)
    return rows.order_by("-received_at", "-id")[:limit]
