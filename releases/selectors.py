"""Reads for release pages and the API: each a fixed number of queries."""

import datetime
import re
from collections import defaultdict
from functools import lru_cache

from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_fsm import can_proceed, has_transition_perm

from raci import permissions as raci
from raci.models import (
    Assignment,
    Delegation,
    ReleaseGroupObjectPermission,
    ReleaseUserObjectPermission,
    TableVersion,
)
from raci.permissions import Parties
from raci.release_types import rule
from releasemgmt import prepared
from releasemgmt.audit.models import AuditEntry
from releasemgmt.conditions import any_of
from releasemgmt.files import downloadable
from releasemgmt.notifications.models import Communication, Recipient

from . import lifecycle, types
from .models import (
    STAGE_NUMBER,
    ActivityRecord,
    Application,
    Milestone,
    MilestoneChange,
    PolicyBreach,
    Release,
    ReleasePolicy,
    ReleaseType,
    Stage,
    StageChange,
    Window,
)
from .planning import occurrences


def rolled_back(release) -> bool:
    """Whether the release was ever rolled back (RM.6.4): its stage history says so,
    whatever came after (``rollback_plan_used`` speaks of the current round only)."""
    return StageChange.objects.filter(release=release, transition="roll_back").exists()


def visible_releases(user, queryset=None):
    """The releases (of ``queryset``, by default all) this user may see, as one query."""
    return raci.visible_releases(user, Release.objects.all() if queryset is None else queryset)


def coordinator_username():
    """Subquery: the username of the release's deployment coordinator (RM.1.2): the user
    of the assignment, then that user's name by its key. Joined to the users in one
    subquery, PostgreSQL merged the two by scanning the users' key for every row of a
    list: 0.8 ms for a page of 50, against 0.4 (issue 17)."""
    held = Assignment.objects.filter(
        release=OuterRef(OuterRef("pk")),
        party__name=Parties.DEPLOYMENT_COORDINATOR,
        user__isnull=False,
    ).values("user_id")[:1]
    return get_user_model().objects.filter(pk=Subquery(held)).values("username")


def release_list(user, queryset=None):
    """The releases a user may see, with what a list row shows, in one query."""
    return (
        visible_releases(user, queryset)
        .select_related("application")
        .annotate(coordinator=Subquery(coordinator_username()))
    )


#: what a row of the release lists shows (``release_rows``)
ROW_FIELDS = (
    "identifier",
    "name",
    "release_type",
    "stage",
    "planned_installation_date",
    "coordinator",
)


def release_rows(releases):
    """The rows of ``release_list`` as the lists show them, read as values (labelled by
    ``labelled`` once a page of them is cut): made as releases, their 50 rows were a fifth
    of the release list's time at 10,000 releases (issue 17)."""
    return releases.values(*ROW_FIELDS, application_name=F("application__name"))


def labelled(rows) -> list[dict]:
    """The rows of ``release_rows``, each with the labels of its stage and type."""
    stages, types = dict(Stage.choices), dict(ReleaseType.choices)
    rows = list(rows)
    for row in rows:
        row["stage_label"] = stages.get(row["stage"], row["stage"])
        row["type_label"] = types.get(row["release_type"], row["release_type"])
    return rows


def release_row_or_404(user, identifier: str) -> Release:
    """One release with what ``release_list`` gives a row, if the user may see it; 404
    otherwise. Asked of that release alone (``raci.visible_release``)."""
    releases = (
        Release.objects.filter(identifier=identifier)
        .select_related("application")
        .annotate(coordinator=Subquery(coordinator_username()))
    )
    return get_object_or_404(raci.visible_release(user, releases))


def visible_release_or_404(user, identifier: str) -> Release:
    """A release the user may see; 404 otherwise (not 403: its existence is not theirs)."""
    releases = Release.objects.filter(identifier=identifier).select_related("application")
    return get_object_or_404(raci.visible_release(user, releases))


#: stand-ins for the release's and the user's ids in the version's SQL: no row has them
ANY_RELEASE, ANY_USER = -(2**62) - 29, -(2**62) - 31


def release_version(user, release) -> str | None:
    """What the release page's own part and the API's release show this user has not
    changed while this answer stays the same (issue 17: both are kept under it,
    ``releasemgmt.pagecache.kept_part``).

    Every row they read, found from the release and the user, with PostgreSQL's ``xmin``
    (the transaction that wrote the row's version; a newer one each time) summed and the
    rows counted, so an insertion, an update and a deletion by anyone, on any node,
    change the answer, and a write to another release does not. What they read, this
    reads: ``tests/releases/test_release_page_kept.py`` checks it against the queries of
    both made. One statement PostgreSQL plans once per connection. None on SQLite (no
    ``xmin``): they are made each time."""
    if connection.vendor != "postgresql" or not user.is_authenticated:
        return None
    name = prepared.statement(*_version_sql(), ANY_RELEASE, ANY_USER)
    with connection.cursor() as cursor:
        cursor.execute(f"EXECUTE {name}(%s, %s)", [release.pk, user.pk])
        return f"{release.pk} {user.pk} {cursor.fetchone()[0]}"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def record_version(user, release) -> str | None:
    """What the release page's record shows this user has not changed while this answer
    stays the same: ``release_version``'s rows and those of the record, its decisions,
    communications and their recipients, audit entries and files, with the users they
    name (issue 17: the record is kept under it). None on SQLite."""
    if connection.vendor != "postgresql" or not user.is_authenticated:
        return None
    name = prepared.statement(*_version_sql(of_record=True), ANY_RELEASE, ANY_USER)
    with connection.cursor() as cursor:
        cursor.execute(f"EXECUTE {name}(%s, %s)", [release.pk, user.pk])
        return f"{release.pk} {user.pk} {cursor.fetchone()[0]}"


@lru_cache(maxsize=2)
def _version_sql(of_record: bool = False) -> tuple[str, tuple]:
    """The version's SQL with ``%s`` for the stand-ins (``ANY_RELEASE``, ``ANY_USER``):
    of the release page's own part, or ``of_record``, of its record."""
    user_model = get_user_model()
    notification = Release._meta.get_field("notification_requests").related_model
    decision = Release._meta.get_field("decisions").related_model
    t = {
        "decision": _table(decision),
        "communication": _table(Communication),
        "recipient": _table(Recipient),
        "audit": _table(AuditEntry),
        "release": _table(Release),
        "application": _table(Application),
        "record": _table(ActivityRecord),
        "assignment": _table(Assignment),
        "milestone": _table(Milestone),
        "change": _table(MilestoneChange),
        "breach": _table(PolicyBreach),
        "notification": _table(notification),
        "policy": _table(ReleasePolicy),
        "user_perm": _table(ReleaseUserObjectPermission),
        "group_perm": _table(ReleaseGroupObjectPermission),
        "delegation": _table(Delegation),
        "membership": _table(user_model.groups.through),
        "group": _table(user_model.groups.field.related_model),
        "user": _table(user_model),
        "table": _table(TableVersion),
    }
    of_release = "release_id = %(r)s"
    changes = "{change} c JOIN {milestone} m ON m.id = c.milestone_id WHERE m.release_id = %(r)s"
    # the user and whom they stand in for (``raci.permissions.principals``)
    people = (
        "SELECT %(u)s::bigint UNION SELECT principal_id FROM {delegation} WHERE deputy_id = %(u)s"
    )
    named = (
        f"SELECT performed_by_id FROM {{record}} WHERE {of_release}"
        f" UNION SELECT deputy_of_id FROM {{record}} WHERE {of_release}"
        f" UNION SELECT user_id FROM {{assignment}} WHERE {of_release}"
        f" UNION SELECT accepted_by_id FROM {{breach}} WHERE {of_release}"
        f" UNION SELECT c.changed_by_id FROM {changes} UNION {people}"
    )
    sent = "{recipient} x JOIN {communication} c ON c.id = x.communication_id"
    if of_record:
        named += (
            f" UNION SELECT recorded_by_id FROM {{decision}} WHERE {of_release}"
            f" UNION SELECT deputy_of_id FROM {{decision}} WHERE {of_release}"
            f" UNION SELECT actor_id FROM {{audit}} WHERE {of_release}"
            f" UNION SELECT x.user_id FROM {sent} WHERE c.{of_release}"
            f" AND x.status = '{Recipient.Status.FAILED}'"
        )
    sets = [
        # (rows, the alias whose xmin is summed): each "count:sum of xmin"
        (f"{{record}} x WHERE {of_release}", "x"),
        (f"{{assignment}} x WHERE {of_release}", "x"),
        (f"{{milestone}} x WHERE {of_release}", "x"),
        (changes, "c"),
        (f"{{breach}} x WHERE {of_release}", "x"),
        (f"{{notification}} x WHERE {of_release}", "x"),
        (
            "{policy} x JOIN {release} r ON r.application_id = x.application_id WHERE r.id = %(r)s",
            "x",
        ),
        ("{application} x JOIN {release} r ON r.application_id = x.id WHERE r.id = %(r)s", "x"),
        ("{release} x WHERE x.id = %(r)s", "x"),
        ("{user_perm} x WHERE content_object_id = %(r)s", "x"),
        ("{group_perm} x WHERE content_object_id = %(r)s", "x"),
        ("{delegation} x WHERE deputy_id = %(u)s", "x"),
        (f"{{membership}} x WHERE user_id IN ({people})", "x"),
        (f"{{group}} x WHERE id IN (SELECT group_id FROM {{assignment}} WHERE {of_release})", "x"),
        (f"{{user}} x WHERE id IN ({named})", "x"),
        ("{table} x", "x"),
    ]
    if of_record:
        sets += [
            (f"{{decision}} x WHERE {of_release}", "x"),
            (f"{{communication}} x WHERE {of_release}", "x"),
            (f"{sent} WHERE c.{of_release}", "x"),
            (f"{{audit}} x WHERE {of_release}", "x"),
            *_files_sets(),
        ]
    parts = [
        f"(SELECT count(*) || ':' || coalesce(sum({alias}.xmin::text::bigint), 0) FROM {rows})"
        for rows, alias in sets
    ]
    sql = ("SELECT concat_ws(' ', " + ", ".join(parts) + ")").format(**t)
    # named parameters become positional ``%s``, each the release's or the user's stand-in
    order = []
    sql = re.sub(r"%\((\w)\)s", lambda m: order.append(m.group(1)) or "%s", sql)
    return sql, tuple(ANY_RELEASE if name == "r" else ANY_USER for name in order)


def _files_sets() -> list[tuple[str, str]]:
    """The rows of every model that keeps a file of a release (``downloads``), found
    from the release by each one's path, as ``_version_sql``'s sets."""
    sets = []
    for model in downloadable().values():
        of_release = model.objects.filter(**{f"{model.release_path}_id": ANY_RELEASE})
        sql, params = of_release.order_by().values("pk").query.sql_with_params()
        if params != (ANY_RELEASE,):
            raise ImproperlyConfigured(f"{model.__name__}'s files are not found by the release.")
        ids = sql.replace("%s", "%(r)s")
        sets.append((f"{_table(model)} x WHERE x.id IN ({ids})", "x"))
    return sets


def open_now(queryset):
    """Activity records that are pending in the stage their release is in now."""
    in_current_stage = Q()
    for stage, number in STAGE_NUMBER.items():
        in_current_stage |= Q(release__stage=stage, activity__stage=number)
    return queryset.filter(in_current_stage, status=ActivityRecord.Status.PENDING)


def waiting_for(user, releases=None):
    """Start page: the open activities this user is R or A for (on ``releases``, ids,
    when given: the inbox marks a page's messages about what is owed on their few
    releases, where reading every release in flight the user holds cost 7 ms at
    100,000 releases; issue 17). A user who performs nothing anywhere (a business
    thread, the service desk) costs two index lookups. A deputy sees their principals'
    too, during the delegation."""
    people = _performers(user)
    if not people:
        return ActivityRecord.objects.none()
    return _waiting_on(people, _assigned_in_flight(people, releases))


def first_waiting(user, limit: int) -> list:
    """The first ``limit`` activities waiting for the user, in ``waiting_for``'s order
    (the releases installed soonest first): what the start page and the owed list show.
    The releases in flight the user holds are read with their installation dates, and
    the records asked of the soonest ``2 * limit`` of them (a release in flight waits
    on its holder for one or two activities), and of the others only when these fall
    short: a release manager's 208 releases in flight gave PostgreSQL 2,445 records to
    check against guardian's rows, to keep 21 (10 ms of its 17; issue 17). Two queries
    at most after the releases'."""
    people = _performers(user)
    if not people:
        return []
    in_flight = sorted(_assigned_in_flight(people), key=lambda release: release[2])
    soonest = _up_to_a_day(in_flight, 2 * limit)
    found = []
    for releases in (in_flight[:soonest], in_flight[soonest:]):
        if releases and len(found) < limit:
            found += list(_waiting_on(people, releases)[: limit - len(found)])
    return found


def _up_to_a_day(releases: list[tuple], count: int) -> int:
    """How many of ``releases`` (id, stage, installation date), sorted by date, make up
    their first ``count`` and the others installed the same day as the last of them: the
    records of releases of one day are sorted by activity, whichever release they are
    of, so a day is never cut in two."""
    end = min(count, len(releases))
    while 0 < end < len(releases) and releases[end][2] == releases[end - 1][2]:
        end += 1
    return end


def _performers(user) -> list[int]:
    """The user and the principals they stand in for, when any of them performs an
    activity of Table 4-1 on any release; empty otherwise."""
    people = [user.pk, *raci.principals(user)]
    perform = Q(permission_id__in=raci.perform_permission_ids())
    # two EXISTS, each stopping at its first row (a UNION would gather all of them first)
    if (
        ReleaseUserObjectPermission.objects.filter(perform, user_id__in=people).exists()
        or ReleaseGroupObjectPermission.objects.filter(perform, group__user__in=people).exists()
    ):
        return people
    return []


def _waiting_on(people, releases: list[tuple]):
    """The pending records of the current stage of ``releases`` (``_assigned_in_flight``'s)
    that ``people`` perform, per guardian's rows."""
    mine = ReleaseUserObjectPermission.objects.filter(user_id__in=people)
    groups = ReleaseGroupObjectPermission.objects.filter(group__user__in=people)
    may = Exists(
        mine.filter(
            content_object=OuterRef("release_id"), permission=OuterRef("activity__permission")
        )
    ) | Exists(
        groups.filter(
            content_object=OuterRef("release_id"), permission=OuterRef("activity__permission")
        )
    )
    return (
        ActivityRecord.objects.filter(
            _in_current_stage(releases),
            may,
            status=ActivityRecord.Status.PENDING,
        )
        .select_related("release", "activity")
        .only(*WAITING_FIELDS)
        # the release last: one order whichever releases are asked (``first_waiting``)
        .order_by("release__planned_installation_date", "activity__position", "release_id")
    )


#: what a waiting activity shows (the start page, the owed list), what its due date is
#: computed from (``due_dates.activity_due``) and the release's stage (django-fsm reads
#: it as a release is made): the release's and activity's whole rows took the ORM 2.4 ms
#: to ask for on each start page (issue 17)
WAITING_FIELDS = (
    "release_id",
    "activity_id",
    "status",
    "release__identifier",
    "release__name",
    "release__stage",
    "release__application_id",
    "release__planned_delivery_date",
    "release__planned_installation_date",
    "activity__code",
    "activity__name",
)


def _in_current_stage(releases: list[tuple]) -> Q:
    """The activity records of ``releases`` (id, stage, installation date) whose
    activity belongs to the stage its release is in, said of the record alone: with the
    release's stage as the condition (``open_now``), PostgreSQL joined every pending
    record of the release manager's 208 releases in flight to its release, and checked
    guardian's rows for each, before keeping the 308 of the current stages (issue 17)."""
    by_stage = defaultdict(list)
    for pk, stage, _ in releases:
        by_stage[STAGE_NUMBER[stage]].append(pk)
    activities = raci.activity_ids_by_stage()
    # each stage's activities by id, neither a condition on the joined activity
    # (planning seven of them took PostgreSQL 5.3 of the query's 11.8 ms) nor a subquery
    # each (building and compiling them, 4 ms of Python); and every release again on
    # its own, which lets PostgreSQL read just these releases rather than all of them to
    # join the records to (5 ms at 10,000 releases, growing with the table; issue 17)
    return Q(release_id__among=[pk for pk, _, _ in releases]) & any_of(
        Q(release_id__among=pks, activity_id__among=activities.get(number, []))
        for number, pks in sorted(by_stage.items())
    )


def _assigned_in_flight(people, releases=None) -> list[tuple]:
    """The releases in flight (id, stage, planned installation date) on which any of
    ``people`` holds a party (RM.1.2), in person or through a group: the only ones where
    guardian can give them anything to perform, since its rows are made from the
    assignments (``raci.sync``).
    Read from the assignments (one row a release and party, indexed by holder) rather
    than from the guardian rows (one a release and activity: 75,000 for a release
    manager of 5,000 releases, 20 ms at 100,000 releases, 3 from the assignments; issue
    17), and as a list: given as a subquery, PostgreSQL guessed thousands of releases
    and read every pending activity record of every release. The ``may`` check of
    ``waiting_for`` keeps the answer to the guardian rows. Of ``releases`` (ids) alone
    when given."""
    assigned = Assignment.objects.order_by().values("release_id")
    found = Release.objects.filter(
        Q(pk__in=assigned.filter(user_id__in=people))
        | Q(pk__in=assigned.filter(group__user__in=people)),
        stage__in=STAGE_NUMBER,
    )
    if releases is not None:
        found = found.filter(pk__among=releases)
    return list(found.order_by().values_list("pk", "stage", "planned_installation_date"))


def audit_trail(release, limit=None):
    entries = AuditEntry.objects.filter(release=release).select_related("actor")
    return entries[:limit] if limit else entries


#: transitions a user fires by hand; the others follow from the activities
MANUAL_TRANSITIONS = ["return_for_correction", "reauthorise", "close_failed", "cancel"]


def manual_transitions(user, release, records=None) -> list[str]:
    """The hand-fired transitions the stage allows and the user may fire. Table 4-1 is
    asked first: django-fsm reads a transition's gates before its permission, and a user
    who may not fire it need not have them read (issue 17). Given the release's activity
    records read already (the release page), the gates are read from them: every stage
    transition's condition is its gates and its permission Table 4-1
    (``releases.models.stage_transition``)."""
    return [
        name
        for name in MANUAL_TRANSITIONS
        if can_proceed(getattr(release, name), check_conditions=False)
        and raci.may_perform(user, release, lifecycle.TRANSITION_ACTIVITY[name])
        and (
            has_transition_perm(getattr(release, name), user)
            if records is None
            else not lifecycle.missing_gates(release, name, records)
        )
    ]


def notification_requested(release) -> bool:
    """Has the deployment coordinator asked the service desk to notify the users (RM.6.1,
    RM.6.6), in any round: the release then has mass notifications to follow."""
    return release.notification_requests.exists()


def release_evidence(release) -> dict:
    """Decisions, documents and communications for the release page (fixed queries)."""
    return {
        "decisions": release.decisions.select_related(
            "business_thread", "recorded_by", "deputy_of"
        ),
        # A count per communication, and only the failed recipients' rows (with their user).
        "communications": Communication.objects.filter(release=release)
        .annotate(addressees=Count("recipients"))
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Recipient.objects.filter(status=Recipient.Status.FAILED).select_related(
                    "user"
                ),
                to_attr="failed_recipients",
            )
        )[:30],
    }


#: what the API shows of each of a release's communications
COMMUNICATION_FIELDS = (
    "id",
    "activity",
    "kind",
    "interface",
    "subject",
    "body",
    "link",
    "created_at",
)


def communications_of(release) -> list[dict]:
    """Every communication of the release, newest first, each with its addressees (user
    name and role) as values: two queries. Read as model instances with their whole
    users, a busy release's 435 recipients and 193 users were tied to each other in
    cycles only the garbage collector frees, and one request in twenty waited 60-130 ms
    for it (issue 17)."""
    found = list(Communication.objects.filter(release=release).values(*COMMUNICATION_FIELDS))
    addressees = {c["id"]: [] for c in found}
    for communication_id, username, role in (
        Recipient.objects.filter(communication_id__in=list(addressees))
        .order_by("communication_id", "id")
        .values_list("communication_id", "user__username", "role")
    ):
        addressees[communication_id].append({"user": username, "role": role})
    for communication in found:
        communication["recipients"] = addressees[communication["id"]]
    return found


def transition_states(user, release) -> list[dict]:
    """Every stage transition with what stands in its way for this user now: whether
    the stage allows it, whether the user is R or A for its activity, and the gate
    activities still missing (read only for those the stage allows)."""
    states = []
    for name, activity in lifecycle.TRANSITION_ACTIVITY.items():
        possible = can_proceed(getattr(release, name), check_conditions=False)
        states.append(
            {
                "name": name,
                "activity": activity,
                "possible_from_stage": possible,
                "may_fire": raci.may_perform(user, release, activity),
                "needs_reason": name in lifecycle.NEED_A_REASON,
                "missing": lifecycle.missing_gates(release, name) if possible else [],
            }
        )
    return states


def holders_of(release, parties=None):
    """Active users holding any of ``parties`` (by default any party) on the release:
    named people and members of a team alike, as one query."""
    rows = Assignment.objects.filter(release=release)
    if parties is not None:
        rows = rows.filter(party__in=parties)
    return (
        get_user_model()
        .objects.filter(
            Q(id__in=rows.filter(user__isnull=False).values("user_id"))
            | Q(groups__in=rows.filter(group__isnull=False).values("group_id")),
            is_active=True,
        )
        .distinct()
    )


def people_on(release):
    """Who a task of the release's deployment plan can be assigned to: whoever holds a
    party on it."""
    return holders_of(release).order_by("username")


# --- the dated plan (RM.1.1, RM.1.4) and the windows --------------------------------------


def release_plan(release, records=None) -> list[Milestone]:
    """The milestones of the release, each with its re-plans (``replans``, with who and
    why), the actual date (``actual_at``: when the record of its activity,
    ``Milestone.ACTIVITY``, was done) and the slippage in days (``slippage_days``: the
    actual date, or else the planned one, against the baseline of RM.1.4; None before
    it). Three queries, whatever the plan holds; two, given the release's activity
    ``records`` with their activities."""
    changes = MilestoneChange.objects.select_related("changed_by")
    milestones = list(
        release.milestones.prefetch_related(Prefetch("changes", changes, to_attr="replans"))
    )
    if records is not None:
        done = {r.activity.code: r.performed_at for r in records if r.status == r.Status.DONE}
    else:
        done = dict(
            ActivityRecord.objects.filter(
                release=release,
                activity__code__in=list(Milestone.ACTIVITY.values()),
                status=ActivityRecord.Status.DONE,
            ).values_list("activity__code", "performed_at")
        )
    for milestone in milestones:
        milestone.activity_code = Milestone.ACTIVITY[milestone.kind]
        milestone.actual_at = done.get(milestone.activity_code)
        milestone.slippage_days = slippage_days(milestone)
        milestone.slippage_abs = abs(milestone.slippage_days or 0)
    return milestones


def replans(plan: list[Milestone]) -> list[tuple[Milestone, MilestoneChange]]:
    """Every re-plan of a plan read by ``release_plan``, oldest first (no query)."""
    found = [(m, change) for m in plan for change in m.replans]
    return sorted(found, key=lambda pair: (pair[1].changed_at, pair[1].pk))


def slippage_days(milestone) -> int | None:
    """Days late (positive) or early (negative) against the baseline, or None."""
    if milestone.baseline_starts_at is None:
        return None
    moment = getattr(milestone, "actual_at", None) or milestone.starts_at
    return (timezone.localdate(moment) - timezone.localdate(milestone.baseline_starts_at)).days


def window_list():
    """Every blackout and maintenance window, the ones still to come (or repeating still)
    first, by start; one query with what a row shows."""
    today = timezone.localdate()
    current = Q(ends_at__gt=timezone.now()) | Q(
        Q(repeat_until__isnull=True) | Q(repeat_until__gte=today), repeats_weekly=True
    )
    return (
        Window.objects.select_related("application", "business_thread", "created_by")
        .annotate(
            over=Case(When(current, then=Value(False)), default=True, output_field=BooleanField())
        )
        .order_by("over", "starts_at", "id")
    )


#: how many of a weekly window's next times are shown
NEXT_TIMES = 3


def next_times(window, now=None) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """A weekly window's next times (the one under way included), at most NEXT_TIMES; a
    dated window's own time while it is not over."""
    now = now or timezone.now()
    if not window.repeats_weekly:
        return [(window.starts_at, window.ends_at)] if window.ends_at > now else []
    horizon = now + datetime.timedelta(weeks=NEXT_TIMES)
    return occurrences(window, now, horizon)[:NEXT_TIMES]


def window_rule(window) -> str:
    """When the window holds, in words: its dates, or its weekday and hours and how long
    the repetition lasts (the same local hours every week, summer time or not)."""
    start, end = timezone.localtime(window.starts_at), timezone.localtime(window.ends_at)
    if not window.repeats_weekly:
        return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"
    same_day = end.date() == start.date()
    until = f"{end:%H:%M}" if same_day else f"{end:%A} {end:%H:%M}"
    lasts = f"until {window.repeat_until:%Y-%m-%d}" if window.repeat_until else "with no end date"
    return f"Every {start:%A} {start:%H:%M} to {until}, from {start:%Y-%m-%d} {lasts}"


def holds_for(window) -> str:
    """Whom a window holds for: everyone, one application or one business thread."""
    if window.application_id:
        return window.application.code.upper()
    if window.business_thread_id:
        return window.business_thread.short_name
    return "Every application"


# --- what the release's type does to its path, and its policy (issue 12) -------------


def release_path(release, user=None, *, records=None, plan=None) -> dict:
    """The type's rules as they stand for this release: waived and owed activities, the
    post-release review, when the users are to be told, the policy breaches accepted
    (a fixed number of queries; one, given the release's activity ``records`` with their
    activities in the order of Table 4-1 and its ``plan`` of milestones)."""
    kind = rule(release.release_type)
    waived = types.waived(release, records)
    installed = types.installed(release, records)
    return {
        "rule": kind,
        "waived": waived,
        "owed": waived if installed else [],
        "installed": installed,
        "review_required": kind.post_release_review,
        "notify_users_by": types.notify_users_by(release, plan),
        "breaches": list(
            PolicyBreach.objects.filter(release=release).select_related("accepted_by")
        ),
    }


def policy_list():
    """Every application with its policy and the policy's windows (three queries)."""
    return Application.objects.order_by("code").prefetch_related(
        Prefetch(
            "policy",
            queryset=ReleasePolicy.objects.select_related("updated_by").prefetch_related("windows"),
        )
    )
