"""A large, realistic dataset built in bulk (the services take ~0.1 s a release).

What a release gets mirrors ``releases.services.formalise_release`` and ``assign_roles``:
24 activity records, the default assignments plus RM.1.2's, the guardian rows that
``raci.sync.sync_release_permissions`` would write (checked on a sample), its RfCs
and its audit entries. Rows whose ids are needed go through ``bulk_create``; the RfCs and
the audit log go through PostgreSQL's COPY (ids drawn from the table's sequence), which
also keeps their timestamps (``auto_now_add`` would stamp them all with the build time).
Everything is derived from a seeded RNG, so two runs build the same data."""

import bisect
import datetime
import io
import json
import random
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from aftercare.models import (
    Hypercare,
    ImprovementAction,
    Incident,
    Lesson,
    LessonTag,
    PostReleaseReview,
)
from changes import risk
from changes.loader import load_change_models
from changes.models import (
    Advice,
    AgendaItem,
    CabDecision,
    CabMeeting,
    CabMember,
    Category,
    ChangeModel,
    ChangeType,
    Level,
    Review,
    RfC,
    RfCNumber,
)
from deployments import owed
from deployments.models import (
    Decision,
    DeploymentPhase,
    DeploymentPlan,
    InstallationPlan,
    PackageMember,
    PlannedComponent,
    PlanRevision,
    PlanRisk,
    ReleasePackage,
    TestReport,
)
from deployments.plan_content import ITEMS, snapshot
from deployments.services.packages import refresh_spans
from dsl.models import (
    Archive,
    ArchiveMedium,
    Baseline,
    BaselineItem,
    CIStatus,
    CITask,
    Component,
    ConfigurationItem,
    Document,
    Environment,
    InstalledVersion,
    ProposedStatusChange,
    Subscriber,
)
from kpis import facts
from raci import sync
from raci.models import (
    Activity,
    Assignment,
    Organisation,
    Party,
    RaciCell,
    ReleaseGroupObjectPermission,
    ReleaseUserObjectPermission,
)
from raci.permissions import Parties
from readiness.models import (
    Checklist,
    ChecklistItem,
    GoNoGoBoard,
    RunbookVersion,
    TemplateItem,
)
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication, Recipient
from releases.models import (
    STAGE_NUMBER,
    ActivityRecord,
    Application,
    Milestone,
    MilestoneChange,
    Release,
    ReleasePolicy,
    ReleaseType,
    Stage,
    StageChange,
)
from satisfaction.models import Survey

PREFIX = "bench-"
CHUNK = 1000  # releases per transaction
#: Per release: 50,000 RfCs and 1,000,000 audit entries at 10,000 releases.
RFCS_PER_RELEASE = 5
#: one release package per this many releases, of this many releases of as many
#: applications (issue 12, point 6)
RELEASES_PER_PACKAGE = 100
PACKAGE_SIZE = 4
PACKAGED_STAGES = ("planning", "receiving", "kickoff", "acceptance", "authorisation")
AUDIT_PER_RELEASE = 100
SUBSCRIBERS_PER_APPLICATION = 2000
#: Cells of Table 4-1 changed by a process owner over the years (the RACI page's history).
RACI_CHANGES = 40
CHANGE_MANAGER = "ITSM Change Manager"
APPLICATIONS = [
    ("ecs", "Export Control System"),
    ("ncts", "New Computerised Transit System"),
    ("ics", "Import Control System"),
    ("emcs", "Excise Movement and Control System"),
    ("vies", "VAT Information Exchange System"),
    ("ccn", "Common Communication Network"),
    ("tariff", "Integrated Tariff"),
    ("eori", "Economic Operators Registration"),
    ("surv", "Surveillance"),
    ("ucc", "Union Customs Code portal"),
]
ORGANISATIONS = ["Acme Software", "Globex Systems", "Initech", "Umbrella IT", "Hooli"]
#: Users per party (ITSM and business-thread parties) and per developer organisation.
PEOPLE = {Parties.RELEASE_MANAGER: 20, Parties.DEPLOYMENT_COORDINATOR: 40}
PEOPLE_PER_TEAM = 30
PEOPLE_PER_ORGANISATION = 10
#: How releases spread over the stages (most of a tracker's history is closed).
STAGE_WEIGHTS = {
    Stage.PLANNING: 6,
    Stage.RECEIVING: 6,
    Stage.KICKOFF: 6,
    Stage.ACCEPTANCE: 8,
    Stage.AUTHORISATION: 6,
    Stage.INSTALLATION: 6,
    Stage.CONFORMANCE: 4,
    Stage.CLOSED: 50,
    Stage.CANCELLED: 5,
    Stage.ROLLED_BACK: 3,
}
#: Past this many releases the dataset grows as history: the newer releases are closed or
#: cancelled (a rolled-back release is authorised again or closed as failed within weeks,
#: so years of history hold none), and the number in flight stays the 10,000-release
#: set's at any size, as in an organisation that has made releases for years.
#: ``grow(worst_case=True)`` keeps the shares above at every size instead (42,000 in
#: flight at 100,000).
HISTORY_AFTER = 10_000
HISTORY_WEIGHTS = {
    stage: weight
    for stage, weight in STAGE_WEIGHTS.items()
    if stage in (Stage.CLOSED, Stage.CANCELLED)
}
CONFORMANCE = ("RM.7.1", "RM.7.2")


class World:
    """Parties, activities, Table 4-1 and the bench users, applications, organisations."""

    def __init__(self):
        self.parties = {p.name: p for p in Party.objects.select_related("group")}
        self.activities = list(Activity.objects.all())
        self.letters = {(c.activity_id, c.party_id): c.letters for c in RaciCell.objects.all()}
        perm_ids = sync._release_permissions()
        self.perms = {
            party_id: [perm_ids[c] for c in sorted(codenames)]
            for party_id, codenames in sync.party_codenames(
                RaciCell.objects.select_related("activity")
            ).items()
        }
        self.itsm_teams = [
            p
            for p in self.parties.values()
            if p.kind == Party.Kind.ITSM and p.holder == Party.Holder.GROUP
        ]
        self.threads = [p for p in self.parties.values() if p.kind == Party.Kind.BUSINESS_THREAD]
        self.release_manager = self.parties[Parties.RELEASE_MANAGER]
        self.coordinator = self.parties[Parties.DEPLOYMENT_COORDINATOR]
        self.developers = Party.objects.get(kind=Party.Kind.DEVELOPER)
        if not get_user_model().objects.filter(username__startswith=PREFIX).exists():
            self._create_people()
        users = get_user_model().objects.filter(username__startswith=PREFIX)
        self.members = {
            name: list(users.filter(groups=party.group).order_by("username"))
            for name, party in self.parties.items()
        }
        self.organisations = list(Organisation.objects.filter(name__in=ORGANISATIONS))
        self.applications = list(Application.objects.filter(code__in=[a for a, _ in APPLICATIONS]))
        self.change_managers = self.members[CHANGE_MANAGER]
        load_change_models()  # as the migration did; a flushed database has none
        self.change_models = {
            kind: ChangeModel.objects.filter(change_type=kind, active=True).order_by("id")[0].pk
            for kind in ChangeType.values
        }
        self.group_members = defaultdict(list)
        for group_id, user_id in users.values_list("groups", "id").order_by("id"):
            self.group_members[group_id].append(user_id)
        self.informed = defaultdict(list)  # activity id: parties marked I in Table 4-1
        for (activity_id, party_id), letters in sorted(self.letters.items()):
            if "I" in letters:
                self.informed[activity_id].append(party_id)
        if not Subscriber.objects.filter(application__in=self.applications).exists():
            self._create_subscribers()
            self._create_raci_history()
        if not CabMeeting.objects.filter(title__startswith=WEEKLY_CAB).exists():
            with transaction.atomic():
                create_weekly_cabs(self)
        if not ReleasePolicy.objects.filter(application__in=self.applications).exists():
            self._create_policies()
        if not Environment.objects.filter(application__in=self.applications).exists():
            self._create_environments()
        self.weekly = weekly_cabs()
        self.weekly_starts = [slot.starts_at for slot in self.weekly]
        now = timezone.now()
        #: RfCs are decided at meetings held before this (their minutes sent)
        self.cutoff = now - datetime.timedelta(days=1)
        self.next_cab = self.weekly[bisect.bisect_left(self.weekly_starts, now)]

    def _create_policies(self):
        """A release policy on every other application (issue 12 point 7)."""
        ReleasePolicy.objects.bulk_create(
            ReleasePolicy(
                application=application,
                allowed_types=["major", "minor", "emergency"],
                version_pattern="N.N.N",
                min_days_between=14,
                lead_days=10,
                default_deployment_option="big_bang",
                updated_by=self.members[Parties.RELEASE_MANAGER][0],
            )
            for application in self.applications[::2]
        )

    def _create_environments(self):
        """Four environments per application, each with a timeline of
        ENVIRONMENT_HISTORY versions (issue 13): the environment pages read them."""
        kinds = ["psat", "sat", "conformance", "production"]
        environments = Environment.objects.bulk_create(
            Environment(application=application, slug=kind, name=kind.upper(), kind=kind)
            for application in self.applications
            for kind in kinds
        )
        start = timezone.now() - datetime.timedelta(days=7 * ENVIRONMENT_HISTORY)
        InstalledVersion.objects.bulk_create(
            InstalledVersion(
                environment=env,
                version=f"{i // 10}.{i % 10}.0",
                activity="RM.6.5" if env.kind == "production" else "RM.3.3",
                installed_at=start + datetime.timedelta(days=7 * i),
                rolled_back_at=start + datetime.timedelta(days=7 * i + 1) if i % 9 == 8 else None,
            )
            for env in environments
            for i in range(ENVIRONMENT_HISTORY)
        )

    def _create_people(self):
        """~500 users over the 16 parties and 5 developer organisations, 10 applications."""
        User = get_user_model()
        Application.objects.bulk_create(Application(code=c, name=n) for c, n in APPLICATIONS)
        teams = []  # (slug for the username, group, how many)
        for party in self.parties.values():
            if party.kind == Party.Kind.DEVELOPER:
                continue
            teams.append((party.slug, party.group, PEOPLE.get(party.name, PEOPLE_PER_TEAM)))
        for name in ORGANISATIONS:
            group = Group.objects.create(name=f"3rd party: {name}")
            Organisation.objects.create(name=name, party=self.developers, group=group)
            teams.append((name.split()[0].lower(), group, PEOPLE_PER_ORGANISATION))
        users, memberships = [], []
        for slug, group, count in teams:
            for n in range(1, count + 1):
                username = f"{PREFIX}{slug}-{n:02d}"
                user = User(username=username, email=f"{username}@example.org")
                user.set_unusable_password()
                users.append(user)
                memberships.append((username, group))
        User.objects.bulk_create(users)
        ids = dict(User.objects.filter(username__startswith=PREFIX).values_list("username", "id"))
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=ids[u], group_id=g.id) for u, g in memberships
        )

    def _create_subscribers(self):
        """Each application's impacted users, who get the service desk's mass e-mails."""
        Subscriber.objects.bulk_create(
            (
                Subscriber(
                    application=app,
                    email=f"user{n:05d}@{app.code}.example.org",
                    name=f"{app.name} user {n}",
                )
                for app in self.applications
                for n in range(1, SUBSCRIBERS_PER_APPLICATION + 1)
            ),
            batch_size=5000,
        )

    def _create_raci_history(self):
        """Changes a process owner made to Table 4-1 over three years (audit entries
        without a release, as ``raci.services.set_raci_cell`` writes them)."""
        rng = random.Random(3)
        cells = list(RaciCell.objects.select_related("activity", "party").order_by("id"))
        owner = self.members[Parties.RELEASE_MANAGER][-1]
        now = timezone.now()
        rows = []
        for n in range(RACI_CHANGES):
            cell = rng.choice(cells)
            when = now - datetime.timedelta(days=3 * 365 * (RACI_CHANGES - n) / RACI_CHANGES)
            before = rng.choice(["", "C", "I", "CI"])
            rows.append(
                (
                    when,
                    owner.pk,
                    "raci_changed",
                    "raci.racicell",
                    str(cell.pk),
                    str(cell)[:200],
                    None,
                    {"letters": [before, cell.letters]},
                )
            )
        copy_rows(AuditEntry, AUDIT_COLUMNS, [row + AS_THEY_WERE for row in rows])


def counts() -> dict[str, int]:
    """Rows per table that the pages read."""
    return {
        "releases": Release.objects.count(),
        "RfCs": RfC.objects.count(),
        "RfC applications": RfC.applications.through.objects.count(),
        "CAB meetings": CabMeeting.objects.count(),
        "agenda items": AgendaItem.objects.count(),
        "advice": Advice.objects.count(),
        "CAB decisions": CabDecision.objects.count(),
        "reviews": Review.objects.count(),
        "activity records": ActivityRecord.objects.count(),
        "milestones": Milestone.objects.count(),
        "milestone re-plans": MilestoneChange.objects.count(),
        "assignments": Assignment.objects.count(),
        "user perms": ReleaseUserObjectPermission.objects.count(),
        "group perms": ReleaseGroupObjectPermission.objects.count(),
        "audit entries": AuditEntry.objects.count(),
        "communications": Communication.objects.count(),
        "recipients": Recipient.objects.count(),
        "subscribers": Subscriber.objects.count(),
        "users": get_user_model().objects.count(),
    }


#: Seconds per build step of the last ``grow``.
PHASES: dict[str, float] = defaultdict(float)


@contextmanager
def phase(name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        PHASES[name] += time.perf_counter() - start


def grow(world: World, target: int, seed: int = 42, worst_case: bool = False) -> float:
    """Add releases until there are ``target`` (with their RfCs, and audit entries up to
    ``AUDIT_PER_RELEASE`` per release); returns the seconds it took. Beyond
    ``HISTORY_AFTER`` the new releases are history unless ``worst_case``."""
    PHASES.clear()
    start = time.perf_counter()
    have = Release.objects.count()
    audit_have = AuditEntry.objects.count()
    for first in range(have, target, CHUNK):
        indexes = range(first, min(first + CHUNK, target))
        budget = AUDIT_PER_RELEASE * indexes[-1] + AUDIT_PER_RELEASE - audit_have
        with transaction.atomic():
            _skip_constraint_triggers()
            audit_have += _build_chunk(
                world, indexes, random.Random(seed + first), budget, worst_case
            )
    with phase("deployment plans"), transaction.atomic():
        living_plans(world)
    with phase("packages"), transaction.atomic():
        _write_packages(world, worst_case)
    with phase("configuration"), transaction.atomic():
        _write_configuration(world)
    with phase("DSL library"), transaction.atomic():
        _write_library(world)
    with phase("satisfaction"), transaction.atomic():
        _write_satisfaction(world)
    with phase("test reports, installation plans, decisions"), transaction.atomic():
        _write_acceptance(world, random.Random(seed))
    with phase("Move2Run checklists"), transaction.atomic():
        _write_checklists()
    with phase("aftercare"), transaction.atomic():
        _write_aftercare(world)
    with phase("runbooks and Go/No-Go boards"), transaction.atomic():
        _write_runbooks_and_boards(world)
    if have < target:  # a dataset already at its size was counted when it was built
        with phase("KPI facts"), transaction.atomic():
            facts.recount()  # the rows the process events keep, for a bulk load
        with phase("decisions owed"), transaction.atomic():
            owed.recount()
    with phase("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give
    return time.perf_counter() - start


def settle() -> float:
    """VACUUM (ANALYZE) the whole database, outside any transaction, and how long it took:
    what a running install's autovacuum did long ago. Rows just written by ``COPY`` are
    not yet marked all-visible, so an index-only scan reads their heap pages too (a
    thread's calendar month: 569 heap fetches in guardian's index, none once vacuumed),
    and autovacuum, woken by the inserts, would otherwise vacuum the large tables
    beside the pages being timed."""
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
    return time.perf_counter() - start


#: the activities whose records say which reports, plans and decisions a release has
ACCEPTANCE_ACTIVITIES = ("RM.3.3", "RM.4.1", "RM.4.2", "RM.5.1", "RM.5.2")
#: what a report or plan stands for in the dataset (never read: downloads are not timed)
PLACEHOLDER = {"sha256": "0" * 64, "size": 1}


def _write_acceptance(world: World, rng: random.Random) -> None:
    """The evidence of RM.4 and RM.5 as the activities' records imply it: a pSAT report
    once SAT was prepared (RM.3.3), a SAT report after the pSAT decisions (RM.4.1), an
    installation plan once RM.5.1 is under way; each thread's decision on them when the
    activity is done, and about half of them while it is still open, so the threads'
    start pages, ``/approvals/`` and ``/api/v1/owed/`` have what they owe."""
    if TestReport.objects.exists():
        return
    done: dict[int, dict[str, object]] = defaultdict(dict)
    for release_id, code, status, at in ActivityRecord.objects.filter(
        activity__code__in=ACCEPTANCE_ACTIVITIES
    ).values_list("release_id", "activity__code", "status", "performed_at"):
        if status == ActivityRecord.Status.DONE:
            done[release_id][code] = at or timezone.now()
    stages = dict(Release.objects.values_list("id", "stage"))
    threads: dict[int, list[int]] = defaultdict(list)
    for release_id, party_id in Assignment.objects.filter(
        party__kind=Party.Kind.BUSINESS_THREAD
    ).values_list("release_id", "party_id"):
        threads[release_id].append(party_id)
    writer = world.members[Parties.DEPLOYMENT_COORDINATOR][0]
    now = timezone.now()
    reports, plans, pending = [], [], []  # pending: (release, kind, done at or None)
    for release_id in sorted(done.keys() | {k for k, v in stages.items() if v in OWING}):
        acts, stage = done.get(release_id, {}), stages[release_id]
        if "RM.3.3" in acts or stage == Stage.ACCEPTANCE:
            reports.append(_report(release_id, TestReport.Kind.PSAT, writer))
            pending.append((release_id, Decision.Kind.PSAT, acts.get("RM.4.1")))
        if "RM.4.1" in acts:
            reports.append(_report(release_id, TestReport.Kind.SAT, writer))
            pending.append((release_id, Decision.Kind.SAT, acts.get("RM.4.2")))
        if "RM.5.1" in acts or stage == Stage.AUTHORISATION:
            plans.append(
                InstallationPlan(
                    release_id=release_id,
                    version=1,
                    release_notes="What changes, for whom, and how to go back.",
                    planned_start=acts.get("RM.5.1", now),
                    file="documents/bench/installation-plan.pdf",
                    uploaded_by=writer,
                    **PLACEHOLDER,
                )
            )
            pending.append((release_id, Decision.Kind.INSTALLATION_PLAN, acts.get("RM.5.1")))
            if "RM.5.1" in acts:
                pending.append((release_id, Decision.Kind.AUTHORISATION, acts.get("RM.5.2")))
    TestReport.objects.bulk_create(reports, batch_size=5000)
    InstallationPlan.objects.bulk_create(plans, batch_size=5000)
    basis = {(r.release_id, r.kind): r for r in reports}
    basis.update({(p.release_id, "plan"): p for p in plans})
    decisions = []
    for release_id, kind, decided in pending:
        for party_id in threads[release_id]:
            if decided is None and rng.random() < 0.5:
                continue  # this thread still owes it
            on = {}
            if kind in (Decision.Kind.PSAT, Decision.Kind.SAT):
                on["test_report"] = basis[(release_id, kind)]
            else:
                on["installation_plan"] = basis[(release_id, "plan")]
            decisions.append(
                Decision(
                    release_id=release_id,
                    kind=kind,
                    business_thread_id=party_id,
                    verdict=Decision.Verdict.GO,
                    decided_by_name="Head of unit",
                    decided_at=decided or now,
                    recorded_by=writer,
                    **on,
                )
            )
    Decision.objects.bulk_create(decisions, batch_size=5000)


#: the stages in which a thread may owe a decision on a report or plan
OWING = (Stage.ACCEPTANCE, Stage.AUTHORISATION)


def _report(release_id: int, kind: str, writer) -> TestReport:
    return TestReport(
        release_id=release_id,
        kind=kind,
        summary="All test cases passed but two minor ones.",
        file=f"documents/bench/{kind}-report.pdf",
        uploaded_by=writer,
        **PLACEHOLDER,
    )


def _write_checklists() -> None:
    """Each open release's Move2Run checklist as its type's template gives it, the
    earlier items done (seed 002 section 7.2): what the start pages and the checklist
    page read."""
    lines: dict[str, list] = {}
    for line in TemplateItem.objects.select_related("template").order_by("position", "id"):
        lines.setdefault(line.template.release_type, []).append(line)
    releases = list(
        Release.objects.exclude(stage__in=[Stage.CLOSED, Stage.CANCELLED])
        .filter(checklist__isnull=True)
        .values_list("id", "release_type", "planned_installation_date")
    )
    checklists = Checklist.objects.bulk_create(
        (Checklist(release_id=pk, release_type=kind) for pk, kind, _ in releases), batch_size=5000
    )
    items = []
    for checklist, (pk, kind, installation) in zip(checklists, releases, strict=True):
        for n, line in enumerate(lines.get(kind, [])):
            items.append(
                ChecklistItem(
                    checklist=checklist,
                    release_id=pk,
                    position=line.position,
                    title=line.title,
                    priority=line.priority,
                    owner_party_id=line.owner_party_id,
                    days_before_installation=line.days_before_installation,
                    due_date=installation - datetime.timedelta(days=line.days_before_installation),
                    status="done" if n % 2 == 0 else "open",
                )
            )
    ChecklistItem.objects.bulk_create(items, batch_size=5000)


def _write_runbooks_and_boards(world: World) -> None:
    """Each release's runbook version, numbered per application in the order of the
    releases (V0 for the first), complete for the installed ones; a Go/No-Go board
    still to decide for each release awaiting its authorisation or installation."""
    if RunbookVersion.objects.exists():
        return
    writer = world.members[Parties.DEPLOYMENT_COORDINATOR][0]
    numbers: dict[int, int] = defaultdict(int)
    versions = []
    rows = Release.objects.order_by("id").values_list("id", "application_id", "stage")
    for pk, application_id, stage in rows:
        number = numbers[application_id]
        numbers[application_id] += 1
        done = stage in (Stage.CLOSED, Stage.CONFORMANCE, Stage.ROLLED_BACK)
        versions.append(
            RunbookVersion(
                application_id=application_id,
                release_id=pk,
                number=number,
                change_note="" if number == 0 else "Known errors brought up to date.",
                key_steps="Stop the batch, deploy, restart, smoke test.",
                contacts="Service desk, application support, developers.",
                slas="99.5% of office hours.",
                monitoring="Health page every minute.",
                rollback="Redeploy the last known good build.",
                known_errors="None known.",
                created_by=writer,
                completed_by=writer if done else None,
                completed_at=timezone.now() if done else None,
            )
        )
    RunbookVersion.objects.bulk_create(versions, batch_size=5000)
    waiting = Release.objects.filter(stage__in=[Stage.AUTHORISATION, Stage.INSTALLATION])
    GoNoGoBoard.objects.bulk_create(
        (
            GoNoGoBoard(release_id=pk, scheduled_at=timezone.now(), created_by=writer)
            for pk in waiting.values_list("id", flat=True)
        ),
        batch_size=5000,
    )


def _write_packages(world: World, worst_case: bool = False) -> None:
    """Release packages as the release managers make them: open releases of different
    applications in no other package, PACKAGE_SIZE to a package, one package per
    RELEASES_PER_PACKAGE releases. Past HISTORY_AFTER the new releases are history and
    the releases in flight no longer grow, so neither do the packages (unless
    ``worst_case``): counted on every release, 100,000 made 846 packages of 3,132 of the
    3,184 releases in flight, 685 of them in one month."""
    releases = Release.objects.count()
    if not worst_case:
        releases = min(releases, HISTORY_AFTER)
    want = releases // RELEASES_PER_PACKAGE - ReleasePackage.objects.count()
    if want <= 0:
        return
    owner = world.members[Parties.RELEASE_MANAGER][0]
    free = defaultdict(list)
    for pk, application_id in (
        Release.objects.filter(package_member__isnull=True, stage__in=PACKAGED_STAGES)
        .order_by("planned_installation_date", "id")
        .values_list("id", "application_id")
    ):
        free[application_id].append(pk)
    first = ReleasePackage.objects.count()
    members = []
    for n in range(first, first + want):
        pools = [pool for pool in free.values() if pool][:PACKAGE_SIZE]
        if len(pools) < 2:
            break
        package = ReleasePackage.objects.create(
            reference=f"PKG-{n + 1:05d}",
            name=f"Bench package {n + 1}",
            owner=owner,
            created_by=owner,
        )
        members += [
            PackageMember(package=package, release_id=pool.pop(0), added_by=owner) for pool in pools
        ]
    PackageMember.objects.bulk_create(members)
    # written in bulk, past the receivers that keep the spans
    refresh_spans({m.package_id for m in members})


#: components of each closed release: its CIs, its baseline, its proposed changes
COMPONENTS_PER_RELEASE = 8
#: one survey in this many is still owed; the others are answered
SURVEY_OWED_EVERY = 4


def _write_satisfaction(world: World) -> None:
    """Each closed release's survey as its closure asks it: one per user of its business
    threads, answered but for one in SURVEY_OWED_EVERY."""
    closed = Assignment.objects.filter(
        release__stage=Stage.CLOSED,
        party__kind=Party.Kind.BUSINESS_THREAD,
        release__satisfaction_surveys__isnull=True,
    ).values_list("release_id", "party_id", "release__updated_at")
    by_party = {p.pk: world.members[p.name] for p in world.threads}
    rows, n = [], 0
    for release_id, party_id, closed_at in closed.order_by("release_id", "party_id"):
        for user in by_party.get(party_id, []):
            n += 1
            answered = n % SURVEY_OWED_EVERY != 0
            rows.append(
                Survey(
                    release_id=release_id,
                    respondent=user,
                    thread_id=party_id,
                    score=n % 11 if answered else None,
                    comment="Went as planned." if answered else "",
                    answered_at=closed_at if answered else None,
                )
            )
    Survey.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


#: one closed release in this many still waits for the configuration manager
OPEN_CI_TASK_EVERY = 5


def _write_configuration(world: World) -> None:
    """Each closed release as RM.6.5 and RM.6.7 leave it: its CIs (the application and
    its components at its version), the baseline of production, and the configuration
    manager's task with its proposed changes, confirmed but for one in
    OPEN_CI_TASK_EVERY."""
    closed = list(
        Release.objects.filter(stage=Stage.CLOSED, ci_task__isnull=True)
        .order_by("id")
        .values_list("id", "application_id", "application__code", "version")
    )
    if not closed:
        return
    rm = world.members[Parties.RELEASE_MANAGER][0]
    cm = world.members[Parties.CONFIGURATION_MANAGER][0]
    now = timezone.now()
    items = []
    for pk, application_id, code, version in closed:
        items.append(
            ConfigurationItem(
                application_id=application_id,
                kind=ConfigurationItem.Kind.APPLICATION,
                name=code,
                version=version,
                status=CIStatus.LIVE,
                release_id=pk,
            )
        )
        items += [
            ConfigurationItem(
                application_id=application_id,
                kind=ConfigurationItem.Kind.COMPONENT,
                name=f"{code}-module-{n}",
                version=version,
                status=CIStatus.LIVE,
                release_id=pk,
            )
            for n in range(COMPONENTS_PER_RELEASE)
        ]
    items = ConfigurationItem.objects.bulk_create(items, batch_size=5000)
    by_release = defaultdict(list)
    for item in items:
        by_release[item.release_id].append(item)
    baselines = Baseline.objects.bulk_create(
        Baseline(application_id=application_id, release_id=pk, recorded_by=rm)
        for pk, application_id, _, _ in closed
    )
    BaselineItem.objects.bulk_create(
        (
            BaselineItem(
                baseline=baseline,
                name=item.name,
                version=item.version,
                sha256=f"{item.pk:064x}",
            )
            for baseline in baselines
            for item in by_release[baseline.release_id]
            if item.kind == ConfigurationItem.Kind.COMPONENT
        ),
        batch_size=5000,
    )
    tasks = CITask.objects.bulk_create(
        CITask(
            release_id=pk,
            status=CITask.Status.OPEN if n % OPEN_CI_TASK_EVERY == 0 else CITask.Status.CONFIRMED,
            confirmed_by=None if n % OPEN_CI_TASK_EVERY == 0 else cm,
            confirmed_at=None if n % OPEN_CI_TASK_EVERY == 0 else now,
        )
        for n, (pk, _, _, _) in enumerate(closed)
    )
    ProposedStatusChange.objects.bulk_create(
        (
            ProposedStatusChange(
                task=task,
                item=item,
                from_status=CIStatus.IN_TEST,
                proposed_status=CIStatus.LIVE,
                confirmed_status="" if task.status == CITask.Status.OPEN else CIStatus.LIVE,
            )
            for task in tasks
            for item in by_release[task.release_id]
        ),
        batch_size=5000,
    )


#: incidents recorded in each open hypercare (one of them still open)
INCIDENTS_PER_HYPERCARE = 3
#: lessons and improvement actions of each closed release's review
LESSONS_PER_REVIEW = 2
ACTIONS_PER_REVIEW = 2


def _write_aftercare(world: World) -> None:
    """What go-live (RM.6.5) leaves behind: a hypercare for every release past it, closed
    by the release manager once the release is closed; the releases still in conformance
    testing in hypercare with their incidents."""
    live = list(
        Release.objects.filter(stage__in=[Stage.CONFORMANCE, Stage.CLOSED], hypercare__isnull=True)
        .order_by("id")
        .values_list("id", "stage")
    )
    if not live:
        return
    rm = world.members[Parties.RELEASE_MANAGER][0]
    desk = world.members[Parties.SERVICE_DESK][0]
    now = timezone.now()
    started = now - datetime.timedelta(days=3)
    hypercares = Hypercare.objects.bulk_create(
        (
            Hypercare(
                release_id=pk,
                started_at=started,
                days=7,
                ends_at=started + datetime.timedelta(days=7),
                started_by=rm,
                closed_at=now if stage == Stage.CLOSED else None,
                closed_by=rm if stage == Stage.CLOSED else None,
                close_reason="Stable" if stage == Stage.CLOSED else "",
                reviewed=stage == Stage.CLOSED,  # the closed ones have their review below
            )
            for pk, stage in live
        ),
        batch_size=5000,
    )
    Incident.objects.bulk_create(
        (
            Incident(
                hypercare=h,
                release_id=h.release_id,
                reference=f"INC-{h.release_id}-{n}",
                title="Slow answers after go-live",
                priority=("P2", "P3", "P4")[n % 3],
                opened_at=started + datetime.timedelta(hours=n + 1),
                resolved_at=None if n == 0 else started + datetime.timedelta(hours=n + 5),
                recorded_by=desk,
            )
            for h in hypercares
            if h.closed_at is None
            for n in range(INCIDENTS_PER_HYPERCARE)
        ),
        batch_size=5000,
    )
    closed = [pk for pk, stage in live if stage == Stage.CLOSED]
    reviews = PostReleaseReview.objects.bulk_create(
        (
            PostReleaseReview(
                release_id=pk,
                note="Went live as planned.",
                objectives=PostReleaseReview.Objectives.MET,
                recorded_by=rm,
                recorded_at=now,
            )
            for pk in closed
        ),
        batch_size=5000,
    )
    applications = dict(Release.objects.filter(pk__in=closed).values_list("pk", "application_id"))
    words = ["migration", "testing", "communication", "performance", "rollback"]
    lessons = Lesson.objects.bulk_create(
        (
            Lesson(
                release_id=r.release_id,
                application_id=applications[r.release_id],
                review=r,
                what_happened=f"The {words[(r.pk + n) % 5]} took longer than planned.",
                next_time=f"Rehearse the {words[(r.pk + n) % 5]} before the GO.",
                tags_text=words[(r.pk + n) % 5],
                author=rm,
            )
            for r in reviews
            for n in range(LESSONS_PER_REVIEW)
        ),
        batch_size=5000,
    )
    LessonTag.objects.bulk_create(
        (LessonTag(lesson=lesson, name=lesson.tags_text) for lesson in lessons), batch_size=5000
    )
    ImprovementAction.objects.bulk_create(
        (
            ImprovementAction(
                review=r,
                release_id=r.release_id,
                title="Rehearse on a copy of production",
                owner=desk,
                due_date=timezone.localdate() + datetime.timedelta(days=n * 10 - 5),
                status="done" if n == 0 else "open",
                done_at=now if n == 0 else None,
                created_by=rm,
            )
            for r in reviews
            for n in range(ACTIONS_PER_REVIEW)
        ),
        batch_size=5000,
    )


#: The application whose DSL the bench measures, and how many of its versions hold files.
LIBRARY_APPLICATION = "ecs"
LIBRARY_VERSIONS = 100


def _write_library(world: World) -> None:
    """The DSL of one application: its newest LIBRARY_VERSIONS versions with two
    components and two documents each, the documentation of all but the last three
    archived, on two media and purged (RM.2.4). Records only: the page reads no file."""
    releases = list(
        Release.objects.filter(
            application__code=LIBRARY_APPLICATION, components__isnull=True
        ).order_by("-created_at", "-id")[:LIBRARY_VERSIONS]
    )
    if Component.objects.filter(release__application__code=LIBRARY_APPLICATION).exists():
        return
    by = world.members[Parties.RELEASE_MANAGER][0]
    now = timezone.now()
    digest = "0" * 64
    Component.objects.bulk_create(
        Component(
            release=r,
            name=f"{r.application_id}-part{n}",
            version=r.version,
            sha256=digest,
            size=1 << 20,
            file=f"documents/bench/{r.pk}-part{n}.jar",
            uploaded_by=by,
        )
        for r in releases
        for n in range(2)
    )
    archived = releases[3:]
    Document.objects.bulk_create(
        Document(
            release=r,
            title=f"Document {n}",
            kind="installation" if n == 0 else "design",
            sha256=digest,
            size=1 << 16,
            file=f"documents/bench/{r.pk}-{n}.pdf",
            uploaded_by=by,
            purged_at=now if i >= 3 else None,
        )
        for i, r in enumerate(releases)
        for n in range(2)
    )
    archives = Archive.objects.bulk_create(Archive(release=r, purged_at=now) for r in archived)
    ArchiveMedium.objects.bulk_create(
        ArchiveMedium(
            archive=a,
            number=n,
            location="on_site" if n == 1 else "sent",
            sent_to="" if n == 1 else "DG TAXUD data centre",
            recorded_by=by,
        )
        for a in archives
        for n in (1, 2)
    )


def _skip_constraint_triggers() -> None:
    """For this transaction, no per-row foreign-key trigger (the rows are consistent by
    construction; checking ten million of them at commit would double the build). The
    audit log's append-only trigger guards UPDATE and DELETE only, never used here."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")


AUDIT_COLUMNS = (
    "timestamp",
    "actor",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "release",
    "changes",
    "actor_name",
    "actor_groups",
    "deputy_of",
)
#: the actor's name and parties as they were: the account's own, as the bench's people are
#: never renamed (and the page falls back to the account when they are empty); nobody
#: acted as a deputy
AS_THEY_WERE = ("", "", "")
COMMUNICATION_COLUMNS = (
    "id",
    "release",
    "activity",
    "kind",
    "interface",
    "subject",
    "body",
    "link",
    "created_by",
    "created_at",
)
RECIPIENT_COLUMNS = ("communication", "user", "role", "status", "attempts", "last_error", "sent_at")


def copy_rows(model, columns, rows) -> int:
    """COPY ``rows`` (tuples in the order of ``columns``, field names) into the model's
    table; returns how many."""
    return copy_lines(
        model, columns, ("\t".join(_copy_text(value) for value in row) + "\n" for row in rows)
    )


def copy_lines(model, columns, lines) -> int:
    """COPY lines already in COPY's text format (the hot path of the recipients)."""
    fields = [model._meta.get_field(name) for name in columns]
    buffer = io.StringIO()
    count = 0
    for line in lines:
        buffer.write(line)
        count += 1
    buffer.seek(0)
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)
    return count


def _copy_text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, datetime.datetime):
        value = value.isoformat()
    else:
        value = str(value)
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def next_ids(model, count: int) -> list[int]:
    """``count`` ids from the table's own sequence, for rows written with COPY."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [n for (n,) in cursor.fetchall()]


def verify_permissions(sample: int = 30, seed: int = 7) -> int:
    """Call the real ``sync_release_permissions`` on a sample: it must find nothing to
    grant or revoke (so our bulk rows are exactly its rows). Returns releases checked."""
    ids = list(Release.objects.values_list("id", flat=True))
    checked = random.Random(seed).sample(ids, min(sample, len(ids)))
    with transaction.atomic():
        for release in Release.objects.filter(id__in=checked):
            granted, revoked = sync.sync_release_permissions(release)
            if granted or revoked:
                raise AssertionError(
                    f"{release.identifier}: sync would grant {granted}, revoke {revoked}"
                )
    return len(checked)


def _build_chunk(
    world: World, indexes, rng: random.Random, audit_budget: int, worst_case: bool
) -> int:
    """One transaction: the releases of ``indexes`` with everything they hold, and audit
    entries up to ``audit_budget``. Returns the audit entries written."""
    today = timezone.localdate()
    stages, weights = zip(*STAGE_WEIGHTS.items(), strict=True)
    past, past_weights = zip(*HISTORY_WEIGHTS.items(), strict=True)
    releases, plans = [], []
    for i in indexes:
        app = world.applications[i % len(world.applications)]
        k = i // len(world.applications)
        version = f"{k // 100 + 1}.{k % 100}.0"
        if i >= HISTORY_AFTER and not worst_case:
            stage = rng.choices(past, past_weights)[0]
        else:
            stage = rng.choices(stages, weights)[0]
        delivery = today + datetime.timedelta(days=_days_from_today(stage, rng))
        rm = world.members[Parties.RELEASE_MANAGER][i % PEOPLE[Parties.RELEASE_MANAGER]]
        releases.append(
            Release(
                identifier=f"{app.code.upper()}-{version}",
                name=f"{app.name} update {version}",
                application=app,
                version=version,
                release_type=rng.choice(list(ReleaseType)),
                planned_delivery_date=delivery,
                planned_installation_date=delivery + datetime.timedelta(days=rng.randint(7, 35)),
                conformance_testing=rng.random() < 0.4,
                description=f"{app.name} release {version}.",
                stage=stage,
                created_by=rm,
            )
        )
        assigned = stage != Stage.PLANNING or rng.random() < 0.5
        plans.append(
            {
                "index": i,
                "rm": rm,
                "threads": rng.sample(world.threads, rng.choice([1, 1, 2])),
                "dc": rng.choice(world.members[Parties.DEPLOYMENT_COORDINATOR])
                if assigned
                else None,
                "org": rng.choice(world.organisations) if assigned else None,
                "revisions": rng.choice([0, 0, 1, 2]),
            }
        )
    with phase("releases"):
        Release.objects.bulk_create(releases)

    records, assignments, user_perms, group_perms = [], [], [], []
    holders = {}  # release id: {party id: user ids holding it on the release}
    for release, plan in zip(releases, plans, strict=True):
        rows = _assignments(world, release, plan)
        assignments += rows
        holders[release.pk] = {
            a.party_id: [a.user_id] if a.user_id else world.group_members[a.group_id] for a in rows
        }
        users, groups = set(), set()
        for a in rows:
            for perm_id in world.perms.get(a.party_id, ()):
                if a.user_id:
                    users.add((a.user_id, perm_id))
                else:
                    groups.add((a.group_id, perm_id))
        user_perms += [
            ReleaseUserObjectPermission(user_id=u, permission_id=p, content_object=release)
            for u, p in users
        ]
        group_perms += [
            ReleaseGroupObjectPermission(group_id=g, permission_id=p, content_object=release)
            for g, p in groups
        ]
        records += _records(world, release, plan, rng)
    with phase("assignments, guardian rows"):
        Assignment.objects.bulk_create(assignments, batch_size=5000)
        ReleaseUserObjectPermission.objects.bulk_create(user_perms, batch_size=5000)
        ReleaseGroupObjectPermission.objects.bulk_create(group_perms, batch_size=5000)
    with phase("activity records"):
        ActivityRecord.objects.bulk_create(records, batch_size=5000)

    by_release = defaultdict(list)
    informed = defaultdict(list)  # release id: its done records with parties to inform
    for record in records:
        by_release[record.release_id].append(record)
        if record.status == ActivityRecord.Status.DONE and world.informed[record.activity_id]:
            informed[record.release_id].append(record)
    entries = []
    count = RFCS_PER_RELEASE * len(releases)
    ids = iter(next_ids(RfC, count))
    changes = ChangeRows(world, iter(next_ids(RfCNumber, count)))
    for release, plan in zip(releases, plans, strict=True):
        _rfcs(world, release, plan, ids, changes, rng)
        entries += _audit(world, release, plan, by_release[release.pk])
    entries += changes.entries + changes.agenda_entries()
    entries += _audit_details(world, releases, plans, by_release, audit_budget - len(entries), rng)
    communications, recipients = [], []
    comm_ids = iter(next_ids(Communication, sum(map(len, informed.values()))))
    for release in releases:
        for record in informed[release.pk]:
            comm, rows = _inform(world, release, record, holders[release.pk], next(comm_ids), rng)
            communications.append(comm)
            recipients += rows
    with phase("RfCs, CABs (COPY)"):
        changes.write()
    with phase("milestones (COPY)"):
        _write_milestones(releases, plans)
    with phase("stage history (COPY)"):
        copy_rows(
            StageChange,
            STAGE_CHANGE_COLUMNS,
            [
                row
                for release, plan in zip(releases, plans, strict=True)
                for row in _moves(release, plan)
            ],
        )
    with phase("communications (COPY)"):
        copy_rows(Communication, COMMUNICATION_COLUMNS, communications)
        copy_lines(Recipient, RECIPIENT_COLUMNS, recipients)
    with phase("audit entries (COPY)"):
        return copy_rows(AuditEntry, AUDIT_COLUMNS, [row + AS_THEY_WERE for row in entries])


# --- the stage history: what ``move_release`` records -------------------------------------

STAGE_CHANGE_COLUMNS = (
    "release",
    "transition",
    "from_stage",
    "to_stage",
    "at",
    "entered_from_at",
    "by",
)
#: the forward path of a release and the transition of each step
PATH = [
    ("receive", Stage.PLANNING, Stage.RECEIVING),
    ("kick_off", Stage.RECEIVING, Stage.KICKOFF),
    ("start_acceptance", Stage.KICKOFF, Stage.ACCEPTANCE),
    ("request_authorisation", Stage.ACCEPTANCE, Stage.AUTHORISATION),
    ("authorise_installation", Stage.AUTHORISATION, Stage.INSTALLATION),
]


def _moves(release, plan) -> list[tuple]:
    """The moves that took the release to its stage, spread from RM.1.1 to its planned
    installation (never in the future): the rows the KPIs' flow reads."""
    steps = []
    for transition, source, target in PATH:
        if release.stage == source:
            break
        steps.append((transition, source, target))
    if release.stage == Stage.CANCELLED:
        steps = [("cancel", Stage.PLANNING, Stage.CANCELLED)]
    elif release.stage == Stage.ROLLED_BACK:
        steps.append(("roll_back", Stage.INSTALLATION, Stage.ROLLED_BACK))
    elif release.stage == Stage.CONFORMANCE:
        steps.append(("start_conformance", Stage.INSTALLATION, Stage.CONFORMANCE))
    elif release.stage == Stage.CLOSED:
        steps.append(("close", Stage.INSTALLATION, Stage.CLOSED))
    start = _formalised_at(release)
    end = _at(release.planned_installation_date, 20)
    rows, entered = [], start
    for n, (transition, source, target) in enumerate(steps, start=1):
        at = _past(start + (end - start) * n / (len(steps) + 1))
        at = max(at, entered)
        rows.append((release.pk, transition, source, target, at, entered, plan["rm"].pk))
        entered = at
    return rows


# --- the dated plan: milestones ----------------------------------------------------------

MILESTONE_COLUMNS = (
    "id",
    "release",
    "kind",
    "starts_at",
    "ends_at",
    "all_day",
    "baseline_starts_at",
    "baseline_ends_at",
)
MILESTONE_CHANGE_COLUMNS = (
    "milestone",
    "starts_before",
    "ends_before",
    "starts_after",
    "ends_after",
    "reason",
    "changed_by",
    "changed_at",
)
#: the share of a published plan's milestones moved since (each once, with its reason)
REPLANNED = 0.15
K = Milestone.Kind


def _at(day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _whole_days(first, days=1):
    return _at(first), _at(first + datetime.timedelta(days=days)), True


def _plan_of(release, plan, rng) -> list[tuple]:
    """(kind, start, end, all day) of a release's milestones, as its stage has them:
    RM.1.1's delivery and installation by the day; once the coordinator plans the
    deployment (RM.3.1 on), the kick-off (an hour), pSAT and SAT to the hour between
    delivery and installation, the installation on its evening, conformance testing
    after it."""
    delivery, installation = release.planned_delivery_date, release.planned_installation_date
    gap = (installation - delivery).days
    stage = release.stage
    number = STAGE_NUMBER.get(stage, 8 if stage == Stage.CLOSED else 6)
    if stage == Stage.CANCELLED:
        number = rng.randint(1, 5)
    found = [(K.DELIVERY, *_whole_days(delivery))]
    if number >= 3 and plan["dc"]:
        kickoff = delivery + datetime.timedelta(days=max(1, round(gap * 0.15)))
        found.append((K.KICKOFF, _at(kickoff, 10), _at(kickoff, 11), False))
        psat = delivery + datetime.timedelta(days=max(2, round(gap * 0.3)))
        found.append((K.PSAT, _at(psat, 9), _at(psat, 17), False))
        sat = delivery + datetime.timedelta(days=max(3, round(gap * 0.55)))
        found.append((K.SAT, _at(sat, 9), _at(sat + datetime.timedelta(days=1), 17), False))
    if number >= 5 and plan["dc"]:
        found.append((K.INSTALLATION, _at(installation, 20), _at(installation, 23), False))
    else:
        found.append((K.INSTALLATION, *_whole_days(installation)))
    if release.conformance_testing and stage in (Stage.CONFORMANCE, Stage.CLOSED):
        found.append((K.CONFORMANCE, *_whole_days(installation + datetime.timedelta(2), 7)))
    return found


def _write_milestones(releases, plans) -> None:
    """Each release's milestones (``place_headline_milestones``, ``plan_milestone``),
    with the baseline of RM.1.4 once its plan is published and some re-plans since
    (``MilestoneChange``). Their own seeded RNG: the rest of the dataset is the same
    with or without them."""
    rows, changes = [], []
    plans_of = [
        (release, plan, _plan_of(release, plan, random.Random(7_919 * (plan["index"] + 1))))
        for release, plan in zip(releases, plans, strict=True)
    ]
    ids = iter(next_ids(Milestone, sum(len(p) for _, _, p in plans_of)))
    for release, plan, planned in plans_of:
        rng = random.Random(104_729 * (plan["index"] + 1))
        published = release.stage != Stage.PLANNING
        for kind, starts_at, ends_at, all_day in planned:
            pk = next(ids)
            baseline = (starts_at, ends_at) if published else (None, None)
            if published and rng.random() < REPLANNED:
                moved = datetime.timedelta(days=rng.choice([-3, -2, -1, 1, 2, 4, 7]))
                baseline = (starts_at - moved, ends_at - moved)
                who = plan["dc"] if plan["dc"] and kind != K.DELIVERY else plan["rm"]
                when = _past(min(starts_at, baseline[0]) - datetime.timedelta(days=2))
                changes.append(
                    (
                        pk,
                        *baseline,
                        starts_at,
                        ends_at,
                        "Re-planned with the business.",
                        who.pk,
                        when,
                    )
                )
            rows.append((pk, release.pk, kind, starts_at, ends_at, all_day, *baseline))
    copy_rows(Milestone, MILESTONE_COLUMNS, rows)
    copy_rows(MilestoneChange, MILESTONE_CHANGE_COLUMNS, changes)


def _days_from_today(stage, rng) -> int:
    """Planned delivery: closed releases in the past, planning ones in the future."""
    if stage in (Stage.CLOSED, Stage.CANCELLED, Stage.ROLLED_BACK):
        return -rng.randint(40, 3 * 365)
    return (STAGE_NUMBER[stage] - 3) * -10 + rng.randint(-10, 10)


def _assignments(world: World, release, plan) -> list[Assignment]:
    """``default_assignments`` at RM.1.1, then ``assign_roles`` at RM.1.2 if assigned."""
    rows = [Assignment(release=release, party=world.release_manager, user=plan["rm"])]
    rows += [Assignment(release=release, party=p, group_id=p.group_id) for p in world.itsm_teams]
    rows += [Assignment(release=release, party=p, group_id=p.group_id) for p in plan["threads"]]
    if plan["dc"]:
        rows.append(Assignment(release=release, party=world.coordinator, user=plan["dc"]))
        rows.append(
            Assignment(release=release, party=world.developers, group_id=plan["org"].group_id)
        )
    return rows


def _records(world: World, release, plan, rng) -> list[ActivityRecord]:
    """Done up to the current stage, part of the current stage done, the rest pending;
    RM.7 not applicable without conformance testing."""
    Status = ActivityRecord.Status
    if release.stage == Stage.CLOSED:
        current = 8
    elif release.stage == Stage.CANCELLED:
        current = rng.randint(1, 6)
    elif release.stage == Stage.ROLLED_BACK:
        current = 6
    else:
        current = STAGE_NUMBER[release.stage]
    when = timezone.make_aware(
        datetime.datetime.combine(release.planned_delivery_date, datetime.time(10))
    )
    records = []
    for activity in world.activities:
        record = ActivityRecord(release=release, activity=activity)
        done = (
            activity.stage < current
            or activity.code == "RM.1.1"
            or (activity.code == "RM.1.2" and plan["dc"])
            or (activity.stage == current and current > 1 and rng.random() < 0.3)
        )
        if activity.code in CONFORMANCE and not release.conformance_testing:
            record.status = Status.NOT_APPLICABLE
            record.comment = "Release planned without conformance testing."
        elif done:
            rm_does_it = "R" in world.letters.get((activity.id, world.release_manager.id), "")
            record.status = Status.DONE
            record.performed_by = plan["rm"] if rm_does_it or not plan["dc"] else plan["dc"]
            record.performed_at = when
        records.append(record)
    return records


def _formalised_at(release):
    """When RM.1.1 happened: two months before the planned delivery."""
    return timezone.make_aware(
        datetime.datetime.combine(
            release.planned_delivery_date - datetime.timedelta(days=60), datetime.time(9)
        )
    )


def _past(moment):
    """Audit entries are never in the future (open releases plan ahead of today)."""
    return min(moment, timezone.now() - datetime.timedelta(minutes=5))


# --- change management -----------------------------------------------------------------
#
# What ``changes.services`` writes, in bulk: each RfC raised (``raise_rfc``), submitted,
# assessed and heard by a CAB (``fire``, ``put_on_agenda``, ``give_advice``,
# ``record_cab_decision``), included in its release (``include_rfc``), implemented at its
# closure (``mark_implemented``), reviewed and closed (``record_review``, ``fire``), with
# the audit entries those services append and timestamps in the order they happen.

RFC_COLUMNS = (
    "id",
    "reference",
    "title",
    "description",
    "reason",
    "requester",
    "change_type",
    "change_model",
    "category",
    "impact",
    "urgency",
    "priority",
    "risk_answers",
    "risk_level",
    "planned_start",
    "planned_end",
    "outage_start",
    "outage_end",
    "outage_description",
    "backout_plan",
    "backout_impossible_reason",
    "backout_trigger",
    "status",
    "release",
    "complementary",
    "raised_at",
    "retrospective",
    "failed_attempts",
    "cab_round",
    "created_at",
    "submitted_at",
    "authorised_at",
    "implemented_at",
    "closed_at",
)
MEETING_COLUMNS = (
    "id",
    "kind",
    "title",
    "starts_at",
    "location",
    "chair",
    "minutes",
    "minutes_sent_at",
    "created_at",
)
MEMBER_COLUMNS = ("meeting", "user", "party")
AGENDA_COLUMNS = ("meeting", "rfc", "position")
ADVICE_COLUMNS = ("meeting", "rfc", "member", "round", "verdict", "comment", "given_at")
DECISION_COLUMNS = (
    "meeting",
    "rfc",
    "round",
    "outcome",
    "conditions",
    "decided_by",
    "decided_at",
)
REVIEW_COLUMNS = (
    "rfc",
    "objective_met",
    "side_effects",
    "incidents",
    "remediation_used",
    "lessons",
    "reviewed_by",
    "reviewed_at",
)
WEEKLY_CAB = "Weekly CAB"
#: the weekly CAB meets on Tuesdays at 10:00, over the releases' three years and 8 weeks
#: ahead; its members sit for these parties (a quorum of 3 of 5 advises on each RfC)
CAB_WEEKDAY, CAB_HOUR = 1, 10
CAB_WEEKS_BACK, CAB_WEEKS_AHEAD = 3 * 52 + 12, 8
CAB_PARTIES = (
    Parties.INFRASTRUCTURE_MANAGER,
    Parties.CONFIGURATION_MANAGER,
    Parties.SERVICE_DESK,
    Parties.APPLICATION_MANAGER,
    Parties.RELEASE_MANAGER,
)
ECAB_PARTIES = (Parties.INFRASTRUCTURE_MANAGER, Parties.SERVICE_DESK)
#: The change managers who chair, assess and decide (the others of the team only advise).
CHAIRS = 5
#: Share of a release's RfCs not carried by it: in planning, half are still on their way
#: through the CAB; later a few were refused, withdrawn or are waiting for another release.
FREE = {Stage.PLANNING: 0.5}
FREE_OTHERWISE = 0.08
#: What becomes of an RfC no release carries: terminal states for past releases, the
#: pipeline for open ones (weights).
REJECTED_THEN_CLOSED = "rejected, then closed"
FREE_PAST = {
    "rejected": 40,
    REJECTED_THEN_CLOSED: 10,
    "withdrawn": 25,
    "cancelled": 20,
    "authorised": 5,
}
FREE_OPEN = {
    "draft": 10,
    "submitted": 15,
    "assessed": 10,
    "awaiting_cab": 20,
    "authorised": 20,
    "rejected": 10,
    "withdrawn": 8,
    "cancelled": 7,
}
#: The RfCs of a closed release after its closure (RM.6.7) implemented them.
AFTER_CLOSURE = {"implemented": 20, "reviewed": 5, "closed": 75}
#: RM.2.1 raised a complementary RfC: undecided while the release is receiving, decided
#: (and so scheduled by the decision) afterwards.
COMPLEMENTARY = {Stage.RECEIVING: 0.25}
COMPLEMENTARY_OTHERWISE = 0.1
PAST_STAGES = (Stage.CLOSED, Stage.CANCELLED, Stage.ROLLED_BACK)
#: the risk questions' answers, and how often each set comes
ANSWERS = (
    (
        60,
        {
            "done_before": "often",
            "tested": "fully",
            "backout": "tested",
            "outage": "none",
            "reach": "one",
        },
    ),
    (
        30,
        {
            "done_before": "once",
            "tested": "partly",
            "backout": "untested",
            "outage": "partial",
            "reach": "one",
        },
    ),
    (
        10,
        {
            "done_before": "never",
            "tested": "partly",
            "backout": "no",
            "outage": "full",
            "reach": "all",
        },
    ),
)
CATEGORIES = {
    Category.APPLICATION: 60,
    Category.INFRASTRUCTURE: 15,
    Category.DATA: 12,
    Category.SECURITY: 8,
    Category.SERVICE: 5,
}


@dataclass(frozen=True)
class Slot:
    """A CAB meeting an RfC can be heard at."""

    pk: int
    starts_at: datetime.datetime
    members: tuple[int, ...]
    chair: int


def create_weekly_cabs(world) -> None:
    """The weekly CAB over the releases' years and the weeks ahead, with its five members
    (one per party of ``CAB_PARTIES``, in turn) and, once it has met, its minutes sent;
    with ``plan_meeting``'s and ``record_minutes``'s audit entries."""
    now = timezone.now()
    today = timezone.localdate()
    monday = today - datetime.timedelta(days=today.weekday())
    first = monday - datetime.timedelta(weeks=CAB_WEEKS_BACK)
    count = CAB_WEEKS_BACK + CAB_WEEKS_AHEAD + 1
    ids = next_ids(CabMeeting, count)
    meetings, members, entries = [], [], []
    for week, pk in enumerate(ids):
        day = first + datetime.timedelta(weeks=week, days=CAB_WEEKDAY)
        starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(CAB_HOUR)))
        chair = world.change_managers[week % CHAIRS]
        held = starts + datetime.timedelta(days=1) < now
        sent = _past(starts + datetime.timedelta(hours=26)) if held else None
        planned = _past(starts - datetime.timedelta(days=7))
        title = f"{WEEKLY_CAB} {day:%Y-%m-%d}"
        minutes = "Quorum reached; the decisions are recorded on each RfC." if held else ""
        meetings.append(
            (pk, CabMeeting.Kind.CAB, title, starts, "Room B-28", chair.pk, minutes, sent, planned)
        )
        seated = []
        for party_name in CAB_PARTIES:
            people = world.members[party_name]
            user = people[week % len(people)]
            seated.append(user.username)
            members.append((pk, user.pk, world.parties[party_name].pk))
        label = f"Change Advisory Board {starts:%Y-%m-%d %H:%M}: {title}"[:200]
        entries.append(
            (
                planned,
                chair.pk,
                "cab_planned",
                "changes.cabmeeting",
                pk,
                label,
                None,
                {"kind": [None, "cab"], "members": [None, seated]},
            )
        )
        if sent:
            entries.append(
                (
                    sent,
                    chair.pk,
                    "cab_minutes",
                    "changes.cabmeeting",
                    pk,
                    label,
                    None,
                    {"sent": [None, True]},
                )
            )
    copy_rows(CabMeeting, MEETING_COLUMNS, meetings)
    copy_rows(CabMember, MEMBER_COLUMNS, members)
    copy_rows(AuditEntry, AUDIT_COLUMNS, [row + AS_THEY_WERE for row in entries])


def weekly_cabs() -> list[Slot]:
    """The weekly CAB's meetings, oldest first."""
    weekly = CabMeeting.objects.filter(kind=CabMeeting.Kind.CAB, title__startswith=WEEKLY_CAB)
    seats = defaultdict(list)
    members = CabMember.objects.filter(meeting__in=weekly).order_by("id")
    for meeting_id, user_id in members.values_list("meeting_id", "user_id"):
        seats[meeting_id].append(user_id)
    return [
        Slot(pk, starts, tuple(seats[pk]), chair)
        for pk, starts, chair in weekly.order_by("starts_at").values_list(
            "id", "starts_at", "chair_id"
        )
    ]


class ChangeRows:
    """The change-management rows of one build transaction, written by COPY at its end."""

    def __init__(self, world, numbers):
        self.world = world
        self.numbers = numbers
        self.rfcs, self.references, self.applications = [], [], []
        self.meetings, self.members, self.agenda = [], [], []
        self.advice, self.decisions, self.reviews, self.entries = [], [], [], []
        self.added = defaultdict(list)  # meeting id: the references put on its agenda

    def write(self) -> None:
        copy_rows(RfCNumber, ("id",), self.references)
        copy_rows(RfC, RFC_COLUMNS, self.rfcs)
        copy_rows(RfC.applications.through, ("rfc", "application"), self.applications)
        copy_rows(CabMeeting, MEETING_COLUMNS, self.meetings)
        copy_rows(CabMember, MEMBER_COLUMNS, self.members)
        copy_rows(AgendaItem, AGENDA_COLUMNS, self.agenda)
        copy_rows(Advice, ADVICE_COLUMNS, self.advice)
        copy_rows(CabDecision, DECISION_COLUMNS, self.decisions)
        copy_rows(Review, REVIEW_COLUMNS, self.reviews)

    def agenda_entries(self) -> list[tuple]:
        """``put_on_agenda``'s entry for each weekly meeting this chunk added RfCs to."""
        slots = {slot.pk: slot for slot in self.world.weekly}
        entries = []
        for pk, references in self.added.items():
            slot = slots[pk]
            label = f"Change Advisory Board {slot.starts_at:%Y-%m-%d %H:%M}: {WEEKLY_CAB}"
            when = _past(slot.starts_at - datetime.timedelta(hours=2))
            entries.append(
                (
                    when,
                    slot.chair,
                    "cab_agenda",
                    "changes.cabmeeting",
                    pk,
                    label[:200],
                    None,
                    {"added": [None, references]},
                )
            )
        return entries


class Request:
    """One RfC being walked: its fields, then the steps of its lifecycle, each setting
    what the service sets and appending the audit entry it appends."""

    def __init__(self, out: ChangeRows, release, plan, pk, rng):
        self.out, self.world, self.rng = out, out.world, rng
        self.release, self.plan, self.pk = release, plan, pk
        number = next(out.numbers)
        out.references.append((number,))
        self.reference = f"RFC-{number:06d}"
        self.status = RfC.Status.DRAFT
        self.carried_by = None
        self.complementary = False
        self.change_type = ChangeType.NORMAL
        self.risk_answers, self.risk_level = {}, ""
        self.failed_attempts = 0
        self.cab_round = 0
        self.created_at = None
        self.submitted_at = self.authorised_at = self.implemented_at = self.closed_at = None
        self.planned_start = None
        self.last = None  # when its latest step happened
        self.assessor = rng.choice(self.world.change_managers[:CHAIRS])

    # --- the fields ---------------------------------------------------------------------

    def describe(self, j: int, *, requester, change_type, planned_start) -> None:
        rng, release = self.rng, self.release
        self.requester, self.change_type = requester, change_type
        app = release.application
        self.title = f"{app.name}: change request {j + 1} for {release.version}"
        self.category = rng.choices(list(CATEGORIES), list(CATEGORIES.values()))[0]
        self.impact = rng.choice([Level.LOW, Level.MEDIUM, Level.MEDIUM, Level.HIGH])
        self.urgency = rng.choice([Level.LOW, Level.MEDIUM, Level.MEDIUM, Level.HIGH])
        self.apps = [app]
        if rng.random() < 0.15:
            other = rng.choice(self.world.applications)
            if other != app:
                self.apps.append(other)
        self.planned_start = planned_start.replace(minute=0, second=0, microsecond=0)
        self.planned_end = self.planned_start + datetime.timedelta(hours=rng.randint(2, 6))
        self.outage = rng.random() < 0.35
        self.backout = rng.random() < 0.92

    def row(self) -> tuple:
        outage_start = outage_end = None
        if self.outage:
            outage_start = self.planned_start + datetime.timedelta(minutes=30)
            outage_end = self.planned_end - datetime.timedelta(minutes=30)
        model = self.world.change_models[self.change_type]
        return (
            self.pk,
            self.reference,
            self.title,
            f"Install what {self.title} asks for, as described in the attached design.",
            "Requested by the business thread for the coming regulation.",
            self.requester.pk,
            self.change_type,
            model,
            self.category,
            self.impact,
            self.urgency,
            risk.priority(self.impact, self.urgency),
            self.risk_answers,
            self.risk_level,
            self.planned_start,
            self.planned_end,
            outage_start,
            outage_end,
            "The application is unavailable to its users." if self.outage else "",
            "Redeploy the previous build from the DSL." if self.backout else "",
            "" if self.backout else "The data migration cannot be reversed; restore the backup.",
            "The smoke tests fail after the installation." if self.backout else "",
            self.status,
            self.carried_by,
            self.complementary,
            self.release.pk if self.complementary else None,
            False,
            self.failed_attempts,
            self.cab_round,
            self.created_at,
            self.submitted_at,
            self.authorised_at,
            self.implemented_at,
            self.closed_at,
        )

    def finish(self) -> None:
        self.out.rfcs.append(self.row())
        self.out.applications += [(self.pk, app.pk) for app in self.apps]

    # --- the steps ----------------------------------------------------------------------

    def event(self, when, actor, action, changes, release=None) -> None:
        """An audit entry of the RfC; ``actor`` a user or a user id."""
        label = f"{self.reference} {self.title}"[:200]
        actor = getattr(actor, "pk", actor)
        self.out.entries.append(
            (when, actor, action, "changes.rfc", self.pk, label, release, changes)
        )
        self.last = when

    def later(self, low_hours: float, high_hours: float):
        """Some hours after its latest step, never later than now."""
        return _later(self.last, self.rng, low_hours, high_hours)

    def step(self, when, actor, action, target, release=None, **extra) -> None:
        """A transition of ``fire`` (or of a release service): status before and after."""
        before, self.status = self.status, target
        changes = {"status": [before, target]} | {k: [None, v] for k, v in extra.items()}
        self.event(when, actor, action, changes, release)

    def raise_(self, when, *, answered=False) -> None:
        self.created_at = when
        if answered and self.change_type == ChangeType.NORMAL:
            self.risk_answers = self._answers()
        changes = {
            "title": [None, self.title],
            "change_type": [None, self.change_type],
            "status": [None, RfC.Status.DRAFT],
            "applications": [None, sorted(a.code for a in self.apps)],
        }
        self.event(when, self.requester, "rfc_raised", changes)

    def raise_complementary(self, when, coordinator) -> None:
        """``raise_complementary_rfc`` at RM.2.1: submitted at once, in the release."""
        self.requester, self.complementary = coordinator, True
        self.created_at = self.submitted_at = when
        self.status = RfC.Status.SUBMITTED
        self.carried_by = self.release.pk
        changes = {"title": [None, self.title], "status": [None, RfC.Status.SUBMITTED]}
        self.event(when, coordinator, "rfc_raised", changes, self.release.pk)

    def submit(self, when) -> None:
        """``fire(submit)``: a standard change is authorised by its model there and then."""
        self.submitted_at = when
        standard = self.change_type == ChangeType.STANDARD
        target = RfC.Status.AUTHORISED if standard else RfC.Status.SUBMITTED
        self.step(when, self.requester, "rfc_submit", target)
        if standard:
            self.authorised_at = when
            self.event(
                when,
                self.requester,
                "rfc_pre_authorised",
                {"change_model": [None, "Standard change"]},
            )

    def _answers(self) -> dict:
        weights, sets = zip(*ANSWERS, strict=True)
        return dict(self.rng.choices(sets, weights)[0])

    def assess(self, when, answers=None) -> None:
        self.risk_answers = answers or self.risk_answers or self._answers()
        self.risk_level = risk.risk_level(self.risk_answers)
        self.step(when, self.assessor, "rfc_assess", RfC.Status.ASSESSED)

    def send_to_cab(self, when) -> None:
        self.cab_round += 1
        self.step(when, self.assessor, "rfc_send_to_cab", RfC.Status.AWAITING_CAB)

    def put_on_agenda(self, slot: Slot) -> None:
        self.out.agenda.append((slot.pk, self.pk, self.pk))
        self.out.added[slot.pk].append(self.reference)

    def hear(self, slot: Slot, when, outcome: str, quorum: int) -> datetime.datetime:
        """Advice of a quorum of the meeting's members, then the change manager's
        decision (``record_cab_decision``): authorised, scheduled at once if a release
        carries it, or rejected. Returns when it was decided."""
        rng = self.rng
        for n, member in enumerate(rng.sample(slot.members, quorum)):
            if outcome == CabDecision.Outcome.AUTHORISED:
                verdict = rng.choices(["approve", "abstain"], [9, 1])[0]
            else:
                verdict = rng.choices(["reject", "abstain", "approve"], [6, 2, 1])[0]
            given = when + datetime.timedelta(minutes=2 * n)
            comment = "" if verdict == "approve" else "The risk is not covered yet."
            row = (slot.pk, self.pk, member, self.cab_round, verdict, comment, given)
            self.out.advice.append(row)
            changes = {
                "verdict": [None, verdict],
                "meeting": [None, slot.pk],
                "round": [None, self.cab_round],
            }
            self.event(given, member, "cab_advice", changes)
        decided = when + datetime.timedelta(minutes=10)
        row = (slot.pk, self.pk, self.cab_round, outcome, "", slot.chair, decided)
        self.out.decisions.append(row)
        if outcome == CabDecision.Outcome.AUTHORISED:
            target = RfC.Status.SCHEDULED if self.carried_by else RfC.Status.AUTHORISED
            self.authorised_at = decided
        else:
            target = RfC.Status.REJECTED
        self.step(
            decided,
            slot.chair,
            "cab_decision",
            target,
            self.carried_by,
            outcome=outcome,
            conditions="",
        )
        return decided

    def ecab(self, when) -> Slot:
        """An emergency CAB called for this RfC (``plan_meeting``), its two members."""
        world, rng = self.world, self.rng
        pk = next_ids(CabMeeting, 1)[0]
        members = tuple(rng.choice(world.members[p]).pk for p in ECAB_PARTIES)
        title = f"Emergency CAB: {self.reference}"
        minutes_at = _past(when + datetime.timedelta(hours=2))
        self.out.meetings.append(
            (
                pk,
                CabMeeting.Kind.ECAB,
                title,
                when,
                "Conference call",
                self.assessor.pk,
                f"{self.reference} heard by the emergency CAB.",
                minutes_at,
                when,
            )
        )
        self.out.members += [
            (pk, user, world.parties[p].pk) for user, p in zip(members, ECAB_PARTIES, strict=True)
        ]
        self.out.agenda.append((pk, self.pk, 0))
        label = f"Emergency CAB {when:%Y-%m-%d %H:%M}: {title}"[:200]
        for action, at, changes in (
            ("cab_planned", when, {"kind": [None, "ecab"]}),
            ("cab_agenda", when, {"added": [None, [self.reference]]}),
            ("cab_minutes", minutes_at, {"sent": [None, True]}),
        ):
            self.out.entries.append(
                (at, self.assessor.pk, action, "changes.cabmeeting", pk, label, None, changes)
            )
        return Slot(pk, when, members, self.assessor.pk)

    def include(self, when) -> None:
        self.carried_by = self.release.pk
        self.step(
            when,
            self.plan["rm"],
            "rfc_included",
            RfC.Status.SCHEDULED,
            self.release.pk,
            rfc=self.reference,
        )

    def implement(self, when, by) -> None:
        """``mark_implemented`` at the release's closure (RM.6.7)."""
        self.implemented_at = when
        self.step(when, by, "rfc_implement", RfC.Status.IMPLEMENTED, self.release.pk)

    def review(self, when) -> None:
        self.out.reviews.append(
            (
                self.pk,
                True,
                "",
                "",
                False,
                "Test with production-sized data in pSAT.",
                self.assessor.pk,
                when,
            )
        )
        self.step(when, self.assessor, "rfc_reviewed", RfC.Status.REVIEWED, objective_met=True)

    def close(self, when, action="rfc_close", by=None, reason="") -> None:
        self.closed_at = when
        extra = {"reason": reason} if reason else {}
        target = {
            "rfc_close": RfC.Status.CLOSED,
            "rfc_withdraw": RfC.Status.WITHDRAWN,
            "rfc_cancel": RfC.Status.CANCELLED,
        }[action]
        self.step(when, by or self.assessor, action, target, **extra)


def _later(moment, rng, low_hours: float, high_hours: float):
    """A moment some hours after ``moment``, never later than now."""
    return _past(moment + datetime.timedelta(hours=rng.uniform(low_hours, high_hours)))


def _last_held(world) -> Slot:
    return world.weekly[bisect.bisect_left(world.weekly_starts, world.cutoff) - 1]


def _heard_after(world, moment) -> Slot:
    """The first weekly CAB two days after ``moment`` that has met (or the last one)."""
    i = bisect.bisect_left(world.weekly_starts, moment + datetime.timedelta(days=2))
    if i < len(world.weekly) and world.weekly_starts[i] < world.cutoff:
        return world.weekly[i]
    return _last_held(world)


def _through_cab(req: Request, after, outcome=CabDecision.Outcome.AUTHORISED):
    """Raised, submitted, assessed and heard at the weekly CAB after ``after`` (or by an
    emergency CAB called for it, or pre-authorised by the standard model). Returns when
    it was decided."""
    rng = req.rng
    if req.change_type == ChangeType.STANDARD:
        req.raise_(_past(after))
        req.submit(req.later(0.1, 2))
        return req.submitted_at
    if req.change_type == ChangeType.EMERGENCY:
        req.raise_(_past(after))
        req.submit(req.later(0.1, 0.5))
        req.send_to_cab(req.later(0.1, 0.3))
        slot = req.ecab(req.later(0.4, 1))  # its agenda is this one RfC
        return req.hear(slot, req.later(0.1, 0.3), outcome, 1)
    slot = _heard_after(req.world, after)
    sent = slot.starts_at - datetime.timedelta(hours=rng.uniform(20, 96))
    assessed = sent - datetime.timedelta(minutes=rng.uniform(10, 90))
    submitted = assessed - datetime.timedelta(hours=rng.uniform(4, 72))
    req.raise_(submitted - datetime.timedelta(hours=rng.uniform(0, 48)), answered=True)
    req.submit(submitted)
    req.assess(assessed)
    req.send_to_cab(sent)
    req.put_on_agenda(slot)
    heard = slot.starts_at + datetime.timedelta(minutes=rng.uniform(5, 100))
    return req.hear(slot, heard, outcome, quorum(len(slot.members)))


def quorum(members: int) -> int:
    """``changes.services.quorum`` of a weekly CAB: a majority of its members."""
    return members // 2 + 1


def _undecided(req: Request, target: str) -> None:
    """A request still on its way: raised lately, as far as ``target``."""
    world, rng = req.world, req.rng
    last = _last_held(world)
    if target == RfC.Status.AWAITING_CAB:
        # sent after the last CAB met: on the agenda of the next one
        sent = _later(last.starts_at, rng, 2, 100)
        submitted = sent - datetime.timedelta(hours=rng.uniform(6, 72))
        req.raise_(submitted - datetime.timedelta(hours=rng.uniform(0, 24)), answered=True)
        req.submit(submitted)
        req.assess(sent - datetime.timedelta(minutes=30))
        req.send_to_cab(sent)
        req.put_on_agenda(world.next_cab)
        return
    raised = _past(timezone.now() - datetime.timedelta(days=rng.uniform(1, 20)))
    req.raise_(raised, answered=rng.random() < 0.5)
    if target == RfC.Status.DRAFT:
        return
    req.submit(req.later(1, 48))
    if target == RfC.Status.ASSESSED:
        req.assess(req.later(2, 72))


def _requester(world, release, plan, rng):
    """Application managers ask for most changes, the business threads for some, the
    change managers for the rest."""
    pick = rng.random()
    if pick < 0.6:
        return rng.choice(world.members[Parties.APPLICATION_MANAGER])
    if pick < 0.85:
        return rng.choice(world.members[rng.choice(plan["threads"]).name])
    return rng.choice(world.change_managers)


def _change_type(status: str, rng) -> str:
    """Standard changes are authorised by their model, emergency ones decided by an ECAB
    within hours: the undecided states hold normal changes only."""
    if status in (RfC.Status.SUBMITTED, RfC.Status.ASSESSED, RfC.Status.AWAITING_CAB):
        return ChangeType.NORMAL
    if status in (RfC.Status.WITHDRAWN, RfC.Status.REJECTED, REJECTED_THEN_CLOSED):
        return rng.choices([ChangeType.NORMAL, ChangeType.EMERGENCY], [95, 5])[0]
    return rng.choices([ChangeType.NORMAL, ChangeType.STANDARD, ChangeType.EMERGENCY], [80, 14, 6])[
        0
    ]


def _rfcs(world: World, release, plan, ids, out: ChangeRows, rng) -> None:
    """``RFCS_PER_RELEASE`` RfCs raised for the release's application: most authorised
    and carried by it (in the state its stage implies: scheduled, implemented at its
    closure, reviewed and closed afterwards; free again if it was cancelled), some
    complementary ones raised at RM.2.1, a few not carried (in planning half of them,
    still on their way through the CAB)."""
    stage = release.stage
    start = _formalised_at(release)
    delivered = timezone.make_aware(
        datetime.datetime.combine(release.planned_delivery_date, datetime.time(10))
    )
    installed = timezone.make_aware(
        datetime.datetime.combine(release.planned_installation_date, datetime.time(20))
    )
    past = stage in PAST_STAGES
    for j in range(RFCS_PER_RELEASE):
        req = Request(out, release, plan, next(ids), rng)
        after = start + datetime.timedelta(days=rng.uniform(0, 20))
        complementary = (
            j == RFCS_PER_RELEASE - 1
            and plan["dc"] is not None
            and stage not in (Stage.PLANNING, Stage.CANCELLED)
            and rng.random() < COMPLEMENTARY.get(stage, COMPLEMENTARY_OTHERWISE)
        )
        free = not complementary and rng.random() < FREE.get(stage, FREE_OTHERWISE)
        if free:
            table = FREE_PAST if past else FREE_OPEN
            fate = rng.choices(list(table), list(table.values()))[0]
        else:
            fate = RfC.Status.SCHEDULED
        change_type = ChangeType.NORMAL if complementary else _change_type(fate, rng)
        if free and not past and fate not in (RfC.Status.REJECTED, RfC.Status.WITHDRAWN):
            window = timezone.now() + datetime.timedelta(days=rng.uniform(8, 60))
        else:
            window = installed
        req.describe(
            j,
            requester=_requester(world, release, plan, rng),
            change_type=change_type,
            planned_start=window,
        )
        if complementary:
            _complementary(req, delivered, stage, installed)
        elif free:
            _free(req, fate, after)
        else:
            _carried(req, after, stage, installed)
        req.finish()


def _complementary(req: Request, delivered, stage, installed) -> None:
    """Raised at RM.2.1 by the deployment coordinator; heard at the next weekly CAB,
    whose authorisation schedules it in the release."""
    rng = req.rng
    if stage == Stage.RECEIVING:
        req.raise_complementary(_past(delivered), req.plan["dc"])
        fate = rng.choice([RfC.Status.SUBMITTED, RfC.Status.ASSESSED, RfC.Status.AWAITING_CAB])
        if fate != RfC.Status.SUBMITTED:
            req.assess(req.later(1, 24))
        if fate == RfC.Status.AWAITING_CAB:
            req.send_to_cab(req.later(0.1, 2))
            req.put_on_agenda(req.world.next_cab)
        return
    slot = _heard_after(req.world, _past(delivered))
    raised = slot.starts_at - datetime.timedelta(hours=rng.uniform(48, 96))
    req.raise_complementary(min(_past(delivered), raised), req.plan["dc"])
    sent = slot.starts_at - datetime.timedelta(hours=rng.uniform(20, 40))
    req.assess(sent - datetime.timedelta(minutes=30))
    req.send_to_cab(sent)
    req.put_on_agenda(slot)
    heard = slot.starts_at + datetime.timedelta(minutes=rng.uniform(5, 100))
    req.hear(slot, heard, CabDecision.Outcome.AUTHORISED, quorum(len(slot.members)))
    _after_installation(req, stage, installed)


def _free(req: Request, fate: str, after) -> None:
    """An RfC no release carries."""
    if fate in RfC.UNDECIDED_STATES:
        _undecided(req, fate)
    elif fate == RfC.Status.WITHDRAWN:
        req.raise_(_past(after))
        req.submit(req.later(1, 48))
        if req.rng.random() < 0.5:
            req.assess(req.later(2, 72))
        req.close(req.later(24, 400), "rfc_withdraw", req.requester, "No longer needed.")
    elif fate in (RfC.Status.REJECTED, REJECTED_THEN_CLOSED):
        _through_cab(req, after, CabDecision.Outcome.REJECTED)
        if fate == REJECTED_THEN_CLOSED:
            req.close(req.later(24, 400))
    else:  # authorised, waiting for a release; or cancelled after its authorisation
        _through_cab(req, after)
        if fate == RfC.Status.CANCELLED:
            req.close(req.later(24, 600), "rfc_cancel", reason="Superseded.")


def _carried(req: Request, after, stage, installed) -> None:
    """Authorised, included at RM.1.1, and what the release's stage did to it since."""
    _through_cab(req, after)
    req.include(req.later(2, 72))
    if stage == Stage.CANCELLED:
        # ``follow_release``: the RfC is free again for another release
        req.carried_by = None
        req.status = RfC.Status.AUTHORISED
        changes = {
            "status": [RfC.Status.SCHEDULED, RfC.Status.AUTHORISED],
            "release": [req.release.identifier, None],
        }
        req.event(
            req.later(24, 24 * 40), req.plan["rm"], "rfc_release_cancel", changes, req.release.pk
        )
        if req.rng.random() < 0.3:
            req.close(req.later(24, 400), "rfc_cancel", reason="Merged elsewhere.")
        return
    _after_installation(req, stage, installed)


def _after_installation(req: Request, stage, installed) -> None:
    """RM.6.7 implements the scheduled RfCs of a successful installation; a roll-back
    counts a failed attempt; then reviews and closure."""
    rng = req.rng
    if stage == Stage.ROLLED_BACK:
        req.failed_attempts = 1
        when = max(_past(installed), req.later(1, 2))
        req.event(
            when, req.plan["dc"] or req.plan["rm"], "rfc_release_roll_back", {}, req.release.pk
        )
        return
    if stage not in (Stage.CONFORMANCE, Stage.CLOSED):
        return
    req.implement(max(_past(installed), req.later(1, 2)), req.plan["rm"])
    if stage == Stage.CONFORMANCE:
        return
    fate = rng.choices(list(AFTER_CLOSURE), list(AFTER_CLOSURE.values()))[0]
    if fate == RfC.Status.IMPLEMENTED:
        return
    if fate == RfC.Status.REVIEWED or req.change_type == ChangeType.EMERGENCY:
        req.review(req.later(24, 240))  # an emergency change closes after its review
    if fate == RfC.Status.CLOSED:
        req.close(req.later(24, 360))


def _audit(world: World, release, plan, records) -> list[tuple]:
    """What the release services append: formalised, roles assigned, revisions, each
    activity done (COPY rows in the order of ``AUDIT_COLUMNS``)."""
    label = f"{release.identifier} {release.name}"[:200]
    start = _formalised_at(release)

    def on_release(days, action, changes):
        when = _past(start + datetime.timedelta(days=days))
        rm = plan["rm"].pk
        return (when, rm, action, "releases.release", release.pk, label, release.pk, changes)

    entries = [
        on_release(
            0,
            "release_formalised",
            {"version": [None, release.version], "name": [None, release.name]},
        )
    ]
    if plan["dc"]:
        changes = {Parties.DEPLOYMENT_COORDINATOR: [[], [plan["dc"].username]]}
        entries.append(on_release(1, "roles_assigned", changes))
    for n in range(plan["revisions"]):
        changes = {"description": [f"revision {n}", f"revision {n + 1}"]}
        entries.append(on_release(2 + 3 * n, "planning_revised", changes))
    for record in records:
        if record.status == ActivityRecord.Status.DONE:
            code = record.activity.code
            entries.append(
                (
                    _done_at(record),
                    record.performed_by_id,
                    "activity_done",
                    "releases.activityrecord",
                    record.pk,
                    f"{release.identifier} {code}: Done",
                    release.pk,
                    {"activity": [None, code], "status": [None, "done"]},
                )
            )
    return entries


#: What the lifecycle services record while an activity of each stage is open.
DETAILS = {
    1: [("task_added", "deployments.deploymenttask"), ("planning_revised", "releases.release")],
    2: [("component_stored", "dsl.component"), ("document_stored", "dsl.document")],
    3: [
        ("task_done", "deployments.deploymenttask"),
        ("environment_report", "deployments.environmentreport"),
    ],
    4: [
        ("test_report_submitted", "deployments.testreport"),
        ("decision_recorded", "deployments.decision"),
    ],
    5: [
        ("installation_plan_submitted", "deployments.installationplan"),
        ("decision_recorded", "deployments.decision"),
    ],
    6: [
        ("notification_requested", "deployments.notificationrequest"),
        ("go_live", "deployments.golive"),
        ("installation_assessed", "deployments.installationreport"),
    ],
    7: [("ct_report_added", "deployments.ctreport"), ("decision_recorded", "deployments.decision")],
}


def _done_at(record):
    return _past(record.performed_at + datetime.timedelta(hours=record.activity.position))


def _audit_details(world: World, releases, plans, by_release, count: int, rng) -> list[tuple]:
    """``count`` entries of the lifecycle's own records (tasks, components, reports,
    decisions...), spread over the activities done in these releases."""
    done = [
        (release, record)
        for release in releases
        for record in by_release[release.pk]
        if record.status == ActivityRecord.Status.DONE
    ]
    entries = []
    first = plans[0]["index"] * AUDIT_PER_RELEASE
    for n in range(count if done else 0):
        release, record = rng.choice(done)
        action, object_type = rng.choice(DETAILS[record.activity.stage])
        when = _past(_done_at(record) - datetime.timedelta(minutes=rng.randint(1, 2000)))
        entries.append(
            (
                when,
                record.performed_by_id,
                action,
                object_type,
                first + n,
                f"{release.identifier} {record.activity.code}: {action.replace('_', ' ')}",
                release.pk,
                {"activity": [None, record.activity.code]},
            )
        )
    return entries


def _inform(world: World, release, record, holders, pk, rng) -> tuple[tuple, list[tuple]]:
    """The notice ``releasemgmt.notifications.services.inform`` records when an activity
    is done: to every holder of a party marked I for it on the release, sent (a few
    failed for good after the retries)."""
    code, name = record.activity.code, record.activity.name
    what = f"{code} {name} is done."
    when = _done_at(record)
    communication = (
        pk,
        release.pk,
        code,
        Communication.Kind.INFORMED,
        "",
        f"[{release.identifier}] {what}",
        f"{what}\n\nRelease {release.identifier} {release.name}.",
        f"/releases/{release.identifier}/",
        record.performed_by_id,
        when,
    )
    users = dict.fromkeys(
        user for party in world.informed[record.activity_id] for user in holders.get(party, ())
    )
    sent = f"\tto\t{Recipient.Status.SENT.value}\t1\t\t{when + datetime.timedelta(seconds=30)}\n"
    failed = f"\tto\t{Recipient.Status.FAILED.value}\t6\t550 5.1.1 Mailbox unavailable\t\\N\n"
    lines = [f"{pk}\t{user}" + (failed if rng.random() < 0.002 else sent) for user in users]
    return communication, lines


#: releases in acceptance with a long-lived deployment plan; its rows and revisions
LIVING_PLANS, PLAN_RISKS, PLAN_PHASES, PLAN_REVISIONS = 10, 8, 4, 30
#: versions in the timeline of each environment of the dataset (issue 13)
ENVIRONMENT_HISTORY = 100


def living_plans(world: World) -> None:
    """Long-lived deployment plans for the first ``LIVING_PLANS`` releases in acceptance
    (the plan pages are measured on one); the other releases have none."""
    coordinator = world.members[Parties.DEPLOYMENT_COORDINATOR][0]
    have = DeploymentPlan.objects.count()
    waiting = Release.objects.filter(stage=Stage.ACCEPTANCE, deployment_plan__isnull=True)
    for release in waiting.order_by("id")[: max(LIVING_PLANS - have, 0)]:
        living_plan(release, coordinator)


def living_plan(release, by) -> DeploymentPlan:
    """A deployment plan for ``release`` as a long-lived one looks (every item of BS
    15000-2 9.3, risks, phases of a phased deployment, components and ``PLAN_REVISIONS``
    revisions, each a little different), written once; the plan pages are measured on it."""
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is not None:
        return plan
    items = {item.slug: f"{item.label}: as agreed with the threads. " * 5 for item in ITEMS}
    plan = DeploymentPlan.objects.create(
        release=release, option="phased", summary="In waves.", items=items
    )
    PlanRisk.objects.bulk_create(
        PlanRisk(
            plan=plan,
            position=n,
            description=f"Risk {n}",
            owner=f"Owner {n}",
            mitigation=f"Mitigation {n}",
        )
        for n in range(PLAN_RISKS)
    )
    first = release.planned_installation_date
    DeploymentPhase.objects.bulk_create(
        DeploymentPhase(
            plan=plan,
            position=n,
            name=f"Wave {n + 1}",
            target=f"Member states of wave {n + 1}",
            planned_date=first + datetime.timedelta(days=7 * n),
        )
        for n in range(PLAN_PHASES)
    )
    PlannedComponent.objects.bulk_create(
        PlannedComponent(plan=plan, name=f"component-{n}", version="1.0") for n in range(4)
    )
    content = snapshot(plan)
    revisions = []
    for number in range(1, PLAN_REVISIONS + 1):
        content = json.loads(json.dumps(content))
        content["items"]["logistics"] = f"Shipping plan {number}."
        content["risks"][number % PLAN_RISKS]["mitigation"] = f"Mitigation of revision {number}"
        revisions.append(
            PlanRevision(
                plan=plan,
                number=number,
                reason=f"Revision {number}",
                revised_by=by,
                content=content,
            )
        )
    PlanRevision.objects.bulk_create(revisions)
    return plan
