"""A large, realistic dataset built in bulk (the services take ~0.1 s a release).

What a release gets mirrors ``releases.services.formalise_release`` and ``assign_roles``:
24 activity records, the default assignments plus RM.1.2's, the guardian rows that
``raci.sync.sync_release_permissions`` would write (checked on a sample), its RfCs
and its audit entries. Rows whose ids are needed go through ``bulk_create``; the RfCs and
the audit log go through PostgreSQL's COPY (ids drawn from the table's sequence), which
also keeps their timestamps (``auto_now_add`` would stamp them all with the build time).
Everything is derived from a seeded RNG, so two runs build the same data."""

import datetime
import io
import json
import random
import time
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from changes.models import RfC
from dsl.models import Subscriber
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
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication, Recipient
from releases.models import STAGE_NUMBER, ActivityRecord, Application, Release, ReleaseType, Stage

PREFIX = "bench-"
CHUNK = 1000  # releases per transaction
#: Per release: 50,000 RfCs and 1,000,000 audit entries at 10,000 releases.
RFCS_PER_RELEASE = 5
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
        "activity records": ActivityRecord.objects.count(),
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


def grow(world: World, target: int, seed: int = 42) -> float:
    """Add releases until there are ``target`` (with their RfCs, and audit entries up to
    ``AUDIT_PER_RELEASE`` per release); returns the seconds it took."""
    PHASES.clear()
    start = time.perf_counter()
    have = Release.objects.count()
    audit_have = AuditEntry.objects.count()
    for first in range(have, target, CHUNK):
        indexes = range(first, min(first + CHUNK, target))
        budget = AUDIT_PER_RELEASE * indexes[-1] + AUDIT_PER_RELEASE - audit_have
        with transaction.atomic():
            _skip_constraint_triggers()
            audit_have += _build_chunk(world, indexes, random.Random(seed + first), budget)
    with phase("ANALYZE"), connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give
    return time.perf_counter() - start


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
)
#: the actor's name and parties as they were: the account's own, as the bench's people are
#: never renamed (and the page falls back to the account when they are empty)
AS_THEY_WERE = ("", "")
RFC_COLUMNS = (
    "id",
    "reference",
    "title",
    "status",
    "cab_decision",
    "release",
    "complementary",
    "created_by",
    "created_at",
    "implemented_at",
)

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


def _build_chunk(world: World, indexes, rng: random.Random, audit_budget: int) -> int:
    """One transaction: the releases of ``indexes`` with everything they hold, and audit
    entries up to ``audit_budget``. Returns the audit entries written."""
    today = timezone.localdate()
    stages, weights = zip(*STAGE_WEIGHTS.items(), strict=True)
    releases, plans = [], []
    for i in indexes:
        app = world.applications[i % len(world.applications)]
        k = i // len(world.applications)
        version = f"{k // 100 + 1}.{k % 100}.0"
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
    rfcs, entries = [], []
    ids = iter(next_ids(RfC, RFCS_PER_RELEASE * len(releases)))
    for release, plan in zip(releases, plans, strict=True):
        release_rfcs, rfc_entries = _rfcs(world, release, plan, ids, rng)
        rfcs += release_rfcs
        entries += _audit(world, release, plan, by_release[release.pk]) + rfc_entries
    entries += _audit_details(world, releases, plans, by_release, audit_budget - len(entries), rng)
    communications, recipients = [], []
    comm_ids = iter(next_ids(Communication, sum(map(len, informed.values()))))
    for release in releases:
        for record in informed[release.pk]:
            comm, rows = _inform(world, release, record, holders[release.pk], next(comm_ids), rng)
            communications.append(comm)
            recipients += rows
    with phase("RfCs (COPY)"):
        copy_rows(RfC, RFC_COLUMNS, rfcs)
    with phase("communications (COPY)"):
        copy_rows(Communication, COMMUNICATION_COLUMNS, communications)
        copy_lines(Recipient, RECIPIENT_COLUMNS, recipients)
    with phase("audit entries (COPY)"):
        return copy_rows(AuditEntry, AUDIT_COLUMNS, [row + AS_THEY_WERE for row in entries])


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


#: Share of a release's RfCs still awaiting the CAB (none once RM.2.1 checked them).
UNDECIDED = {Stage.PLANNING: 0.5, Stage.RECEIVING: 0.2}


def _rfcs(world: World, release, plan, ids, rng) -> tuple[list[tuple], list[tuple]]:
    """``RFCS_PER_RELEASE`` RfCs raised for the release's application: most included in it
    (with the CAB decision the release's stage implies, implemented once it is closed),
    some still free (pending, rejected, or approved and waiting for a release). Returns
    the COPY rows and the audit rows of ``register_rfc``, ``record_cab_decision`` and
    ``include_rfc``."""
    Status, Cab = RfC.Status, RfC.CabDecision
    stage = release.stage
    start = _formalised_at(release)
    installed = timezone.make_aware(
        datetime.datetime.combine(release.planned_installation_date, datetime.time(18))
    )
    rows, entries = [], []
    for j in range(RFCS_PER_RELEASE):
        pk = next(ids)
        reference = f"RFC-{plan['index'] * RFCS_PER_RELEASE + j + 1:06d}"
        title = f"{release.application.name}: change request {j + 1} for {release.version}"
        free = rng.random() < (0.3 if stage == Stage.PLANNING else 0.08)
        implemented_at = None
        if free:
            status, cab = rng.choice(
                [(Status.SUBMITTED, Cab.PENDING)] * 2
                + [(Status.REJECTED, Cab.REJECTED)] * 2
                + [(Status.APPROVED, Cab.APPROVED)]
            )
        elif rng.random() < UNDECIDED.get(stage, 0):
            status, cab = Status.SUBMITTED, Cab.PENDING
        elif stage == Stage.CLOSED:
            status, cab, implemented_at = Status.IMPLEMENTED, Cab.APPROVED, _past(installed)
        else:
            status, cab = Status.APPROVED, Cab.APPROVED
        raised_by = rng.choice(world.change_managers)
        created = _past(start + datetime.timedelta(days=rng.randint(0, 20), hours=2))
        linked = None if free else release.pk
        rows.append(
            (
                pk,
                reference,
                title,
                status,
                cab,
                linked,
                rng.random() < 0.03,
                raised_by.pk,
                created,
                implemented_at,
            )
        )
        label = f"{reference} {title}"[:200]
        changes = {"title": [None, title]}
        entries.append(
            (created, raised_by.pk, "rfc_registered", "changes.rfc", pk, label, None, changes)
        )
        decided = _past(created + datetime.timedelta(days=rng.randint(1, 10)))
        if cab != Cab.PENDING:
            after = Status.REJECTED if cab == Cab.REJECTED else Status.APPROVED
            changes = {"cab_decision": ["pending", cab], "status": ["submitted", after]}
            entries.append(
                (decided, raised_by.pk, "cab_decision", "changes.rfc", pk, label, linked, changes)
            )
        if linked:
            included = _past(decided + datetime.timedelta(hours=3))
            changes = {"rfc": [None, reference]}
            entries.append(
                (included, plan["rm"].pk, "rfc_included", "changes.rfc", pk, label, linked, changes)
            )
    return rows, entries


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
