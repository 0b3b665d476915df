"""A large, realistic dataset built with bulk_create (the services take ~0.1 s a release).

What a release gets mirrors ``releases.services.formalise_release`` and ``assign_roles``:
24 activity records, the default assignments plus RM.1.2's, the guardian rows that
``raci.services.sync_release_permissions`` would write (checked on a sample) and audit
entries. Everything is derived from a seeded RNG, so two runs build the same data."""

import datetime
import random
import time

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from dsl.models import Application
from raci import services as raci
from raci.models import (
    Activity,
    Assignment,
    Organisation,
    Party,
    RaciCell,
    ReleaseGroupObjectPermission,
    ReleaseUserObjectPermission,
)
from releasemgmt.audit.models import AuditEntry
from releases.models import STAGE_NUMBER, ActivityRecord, Release, ReleaseType, Stage

PREFIX = "bench-"
CHUNK = 1000  # releases per transaction
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
PEOPLE = {raci.RELEASE_MANAGER: 20, raci.DEPLOYMENT_COORDINATOR: 40}
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
        perm_ids = raci._release_permissions()
        self.perms = {
            party_id: [perm_ids[c] for c in sorted(codenames)]
            for party_id, codenames in raci.party_codenames(
                RaciCell.objects.select_related("activity")
            ).items()
        }
        self.itsm_teams = [
            p
            for p in self.parties.values()
            if p.kind == Party.Kind.ITSM and p.holder == Party.Holder.GROUP
        ]
        self.threads = [p for p in self.parties.values() if p.kind == Party.Kind.BUSINESS_THREAD]
        self.release_manager = self.parties[raci.RELEASE_MANAGER]
        self.coordinator = self.parties[raci.DEPLOYMENT_COORDINATOR]
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


def counts() -> dict[str, int]:
    """Rows per table that the pages read."""
    return {
        "releases": Release.objects.count(),
        "activity records": ActivityRecord.objects.count(),
        "assignments": Assignment.objects.count(),
        "user perms": ReleaseUserObjectPermission.objects.count(),
        "group perms": ReleaseGroupObjectPermission.objects.count(),
        "audit entries": AuditEntry.objects.count(),
        "users": get_user_model().objects.count(),
    }


def grow(world: World, target: int, seed: int = 42) -> float:
    """Add releases until there are ``target``; returns the seconds it took."""
    start = time.perf_counter()
    have = Release.objects.count()
    for first in range(have, target, CHUNK):
        indexes = range(first, min(first + CHUNK, target))
        with transaction.atomic():
            _build_chunk(world, indexes, random.Random(seed + first))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics, as autovacuum would give
    return time.perf_counter() - start


def verify_permissions(sample: int = 30, seed: int = 7) -> int:
    """Call the real ``sync_release_permissions`` on a sample: it must find nothing to
    grant or revoke (so our bulk rows are exactly its rows). Returns releases checked."""
    ids = list(Release.objects.values_list("id", flat=True))
    checked = random.Random(seed).sample(ids, min(sample, len(ids)))
    with transaction.atomic():
        for release in Release.objects.filter(id__in=checked):
            granted, revoked = raci.sync_release_permissions(release)
            if granted or revoked:
                raise AssertionError(
                    f"{release.identifier}: sync would grant {granted}, revoke {revoked}"
                )
    return len(checked)


def _build_chunk(world: World, indexes, rng: random.Random) -> None:
    today = timezone.localdate()
    stages, weights = zip(*STAGE_WEIGHTS.items(), strict=True)
    releases, plans = [], []
    for i in indexes:
        app = world.applications[i % len(world.applications)]
        k = i // len(world.applications)
        version = f"{k // 100 + 1}.{k % 100}.0"
        stage = rng.choices(stages, weights)[0]
        delivery = today + datetime.timedelta(days=_days_from_today(stage, rng))
        rm = world.members[raci.RELEASE_MANAGER][i % PEOPLE[raci.RELEASE_MANAGER]]
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
                "rm": rm,
                "threads": rng.sample(world.threads, rng.choice([1, 1, 2])),
                "dc": rng.choice(world.members[raci.DEPLOYMENT_COORDINATOR]) if assigned else None,
                "org": rng.choice(world.organisations) if assigned else None,
                "revisions": rng.choice([0, 0, 1, 2]),
            }
        )
    Release.objects.bulk_create(releases)

    records, assignments, user_perms, group_perms = [], [], [], []
    for release, plan in zip(releases, plans, strict=True):
        rows = _assignments(world, release, plan)
        assignments += rows
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
    Assignment.objects.bulk_create(assignments, batch_size=5000)
    ReleaseUserObjectPermission.objects.bulk_create(user_perms, batch_size=5000)
    ReleaseGroupObjectPermission.objects.bulk_create(group_perms, batch_size=5000)
    ActivityRecord.objects.bulk_create(records, batch_size=5000)

    by_release = {}
    for record in records:
        by_release.setdefault(record.release_id, []).append(record)
    entries = []
    for release, plan in zip(releases, plans, strict=True):
        entries += _audit(world, release, plan, by_release[release.pk])
    AuditEntry.objects.bulk_create(entries, batch_size=5000)


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


def _audit(world: World, release, plan, records) -> list[AuditEntry]:
    """What the services append: formalised, roles assigned, revisions, each activity done."""
    rm = plan["rm"]

    def entry(action, obj_type, obj_id, obj_repr, actor=rm, changes=None):
        return AuditEntry(
            actor=actor,
            action=action,
            object_type=obj_type,
            object_id=str(obj_id),
            object_repr=obj_repr[:200],
            release=release,
            changes=changes or {},
        )

    label = f"{release.identifier} {release.name}"
    entries = [
        entry(
            "release_formalised",
            "releases.release",
            release.pk,
            label,
            changes={"version": [None, release.version], "name": [None, release.name]},
        )
    ]
    if plan["dc"]:
        entries.append(
            entry(
                "roles_assigned",
                "releases.release",
                release.pk,
                label,
                changes={raci.DEPLOYMENT_COORDINATOR: [[], [plan["dc"].username]]},
            )
        )
    for n in range(plan["revisions"]):
        entries.append(
            entry(
                "planning_revised",
                "releases.release",
                release.pk,
                label,
                changes={"description": [f"revision {n}", f"revision {n + 1}"]},
            )
        )
    for record in records:
        if record.status == ActivityRecord.Status.DONE:
            code = record.activity.code
            entries.append(
                entry(
                    "activity_done",
                    "releases.activityrecord",
                    record.pk,
                    f"{release.identifier} {code}: Done",
                    actor=record.performed_by,
                    changes={"activity": [None, code], "status": [None, "done"]},
                )
            )
    return entries
