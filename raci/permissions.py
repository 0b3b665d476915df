"""The one permission module: who may do what on which release.

Views, serializers and services ask here and never decide for themselves. The answers
come from Table 4-1 and the release's assignments (RM.1.2), held as guardian's direct
foreign-key object permissions (``raci.sync``): ``may_perform`` (may this user perform
RM.x.y on this release), ``may_view`` and ``visible_releases`` (which releases, as one
query), and party membership.

Deputies (issue 16 point 4): during a ``Delegation``'s period its deputy holds the
principal's parties on the principal's releases, implicitly: whatever the principal's
assignments allow there, the deputy may do, and a write the deputy could not do with
their own parties is recorded as done "by X, deputy of Y" (``deputising_for``). Nothing
else passes (``holds_party`` asks about the user's own groups). For separation of duties
a deputy counts as the principal as well as themself (``counts_as``)."""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from releasemgmt.conditions import any_of

from .catalogue import perform_codename
from .models import (
    Activity,
    Assignment,
    Delegation,
    Party,
    RaciCell,
    ReleaseGroupObjectPermission,
    ReleaseUserObjectPermission,
)


class Parties(StrEnum):
    """The ITSM columns of Table 4-1 (and the developers) the code names; the business
    threads are data. A test holds these to the header of ``data/rm_raci.csv``."""

    RELEASE_MANAGER = "ITSM Release Manager"
    DEPLOYMENT_COORDINATOR = "ITSM Deployment Coordinator"
    APPLICATION_MANAGER = "ITSM Application Manager"
    CHANGE_MANAGER = "ITSM Change Manager"
    CONFIGURATION_MANAGER = "ITSM Configuration Manager"
    INFRASTRUCTURE_MANAGER = "ITSM Infrastructure Manager"
    SERVICE_DESK = "ITSM Service Desk"
    CAMPAIGN_COORDINATOR = "ITSM Campaign Coordinator"
    DEVELOPERS = "3rd Party Developers"


#: who the deployment itself concerns: told of GO and NOGO (RM.4.1, RM.4.2)
DEPLOYMENT_PARTIES = (
    Parties.APPLICATION_MANAGER,
    Parties.INFRASTRUCTURE_MANAGER,
    Parties.DEVELOPERS,
)
VIEW = "view_release"
PROCESS_OWNER_PERMISSION = "raci.change_racicell"


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


# --- per release ---------------------------------------------------------------------


def principals(user) -> dict[int, str]:
    """{id: name} of the users this user stands in for today (issue 16 point 4): one
    query per request, cached on the user object (every permission question asks it).
    Asked as an attribute, not in ``__dict__``: the request's user is a lazy proxy, whose
    own ``__dict__`` is not the user's, where the authentication back end put them."""
    if not _active(user):
        return {}
    today = timezone.localdate()
    cached = getattr(user, "_principals", None)
    if cached is None or cached[0] != today:
        rows = standing_in_today(user.pk, today).values_list(*PRINCIPAL_FIELDS)
        remember_principals(user, today, rows)
        cached = user._principals
    return cached[1]


#: what ``principals`` reads of each principal: id, first name, last name, username
PRINCIPAL_FIELDS = (
    "principal_id",
    "principal__first_name",
    "principal__last_name",
    "principal__username",
)


def delegations_in_force(day):
    """Delegations in force on ``day``: not revoked, the day within the period, the
    principal active."""
    return Delegation.objects.filter(
        revoked_at__isnull=True, starts__lte=day, ends__gte=day, principal__is_active=True
    )


def standing_in_today(deputy, today):
    """The delegations through which ``deputy`` (an id, or ``OuterRef``) stands in for an
    active principal on ``today``, by principal (``deputising_for`` takes the first)."""
    return delegations_in_force(today).filter(deputy_id=deputy).order_by("principal_id")


def remember_principals(user, today, rows) -> None:
    """Keep on the user object, for the rest of the request, the principals ``rows``
    (``PRINCIPAL_FIELDS``) they stand in for on ``today``: read by ``principals`` or, with
    the user, by the authentication back end (``raci.backends``)."""
    named = get_user_model().named
    names = {pk: named(first, last, username) for pk, first, last, username in rows}
    user._principals = (today, names)


def stood_in_for(deputy_id, principal, when) -> bool:
    """Whether ``deputy_id`` stood in for ``principal`` at the moment ``when``: what the
    deputy submitted then, they submitted for the principal, who may not decide on it
    either (separation of duties, issue 16 point 4)."""
    day = timezone.localdate(when)
    return (
        Delegation.objects.filter(
            deputy_id=deputy_id, principal=principal, starts__lte=day, ends__gte=day
        )
        .filter(Q(revoked_at__isnull=True) | Q(revoked_at__gt=when))
        .exists()
    )


def counts_as(user) -> set[int]:
    """The people a user is for separation of duties: themself and, during a delegation,
    each principal (a deputy of Y decides on nothing Y submitted either)."""
    return {user.pk, *principals(user)}


def _codenames_by_holder(user, release) -> dict[int, frozenset[str]]:
    """{user id: codenames} the user, and each principal they stand in for, hold on the
    release (one query, cached on the user object for the rest of the request)."""
    cache = user.__dict__.setdefault("_release_perm_cache", {})
    if release.pk in cache:
        return cache[release.pk]
    standing_in = principals(user)
    if not standing_in:
        mine = ReleaseUserObjectPermission.objects.filter(
            user=user, content_object_id=release.pk
        ).values_list("permission__codename", flat=True)
        groups = ReleaseGroupObjectPermission.objects.filter(
            group__user=user, content_object_id=release.pk
        ).values_list("permission__codename", flat=True)
        cache[release.pk] = {user.pk: frozenset(mine.union(groups))}
        return cache[release.pk]
    people = [user.pk, *standing_in]
    mine = ReleaseUserObjectPermission.objects.filter(
        user_id__in=people, content_object_id=release.pk
    ).values_list("user_id", "permission__codename")
    groups = ReleaseGroupObjectPermission.objects.filter(
        group__user__in=people, content_object_id=release.pk
    ).values_list("group__user", "permission__codename")
    held: dict[int, set[str]] = {}
    for holder, codename in mine.union(groups):
        held.setdefault(holder, set()).add(codename)
    cache[release.pk] = {holder: frozenset(names) for holder, names in held.items()}
    return cache[release.pk]


def granted_codenames(user, release) -> frozenset[str]:
    """The permission codenames the user holds on the release, their own and, during a
    delegation, their principals' (one query, cached for the rest of the request)."""
    if not _active(user):
        return frozenset()
    return frozenset().union(*_codenames_by_holder(user, release).values())


def deputising_for(user, release, code: str) -> int | None:
    """The principal through whom the user may perform ``code`` on the release, when
    their own parties do not allow it (then the record says "deputy of"); None when they
    act as themselves."""
    if not _active(user):
        return None
    held = _codenames_by_holder(user, release)
    codename = perform_codename(code)
    if codename in held.get(user.pk, ()):
        return None
    return next((pk for pk in principals(user) if codename in held.get(pk, ())), None)


def note_deputising(user, release, principal_id: int | None) -> None:
    """Say on the user object that their writes on this release are a deputy's (the
    audit log reads it: ``releasemgmt.audit.services.record``)."""
    notes = user.__dict__.setdefault("_deputy_of", {})
    if principal_id is None:
        notes.pop(release.pk, None)
    else:
        notes[release.pk] = principals(user).get(principal_id, "")


def forget(user, *, principals: bool = True) -> None:
    """Drop what ``granted_codenames`` cached and the holders of the user's view rows
    (after the user's assignments changed) and, unless ``principals`` is False, whom they
    stand in for (after a delegation changed)."""
    user.__dict__.pop("_release_perm_cache", None)
    forget_view_holders(user)
    if principals and hasattr(user, "_principals"):
        del user._principals


def may_perform(user, release, code: str) -> bool:
    """May this user perform activity ``code`` (RM.x.y) on this release? True exactly
    when a party the user holds on the release is R or A for it in Table 4-1. A deputy
    allowed only through their principal has it noted for the audit log."""
    allowed = perform_codename(code) in granted_codenames(user, release)
    if allowed and principals(user):
        note_deputising(user, release, deputising_for(user, release, code))
    return allowed


def why_not_perform(release, code: str) -> str:
    """The reason a user who may not perform ``code`` is given."""
    activity = Activity.objects.filter(code=code).first()
    label = str(activity) if activity else code
    return (
        f"Only a party that is Responsible or Accountable for {label} on "
        f"{release.identifier} may do this."
    )


def require_perform(user, release, code: str) -> None:
    """403 naming the activity unless ``may_perform``. A deputy's write is noted as such
    for the records that follow (``note_deputising``)."""
    if not may_perform(user, release, code):
        raise PermissionDenied(why_not_perform(release, code))
    note_deputising(user, release, deputising_for(user, release, code))


def sees_all_releases(user) -> bool:
    """ITSM staff see every release; business threads and developers only their own."""
    return _active(user) and user.has_perm("releases.view_release")


def may_view(user, release) -> bool:
    return sees_all_releases(user) or VIEW in granted_codenames(user, release)


def _view_grants(user) -> list:
    """Guardian's rows that let this user (and, during a delegation, their principals)
    view a release: in person, and through their groups; only those of the holders that
    have any, when the authentication back end said which (``_known_view_grants``)."""
    known = _known_view_grants(user)
    if known is not None:
        return known
    return _view_grants_of([user.pk, *principals(user)])


def _known_view_grants(user) -> list | None:
    """The view rows of the holders the authentication back end found with the user
    (``remember_view_holders``): the user's own rows if they hold any, their groups'
    rows by the ids of those that hold any; none at all for one who holds none. None
    when the back end did not say, or the user stands in for someone (their principals'
    rows count too). Asked of one holder by its id, the rows a page needs are a walk of
    guardian's unique index in the release's order; asked through the user's groups and
    in person, the rows of both had to be gathered and hashed first: a thread's 19,019
    rows at 100,000 releases, 8 to 9 ms of each query that asked which releases it sees
    (issue 17)."""
    holders = getattr(user, "_view_holders", None)
    if holders is None or principals(user):
        return None
    groups, in_person = holders
    view = view_permission()
    known = []
    if in_person:
        known.append(ReleaseUserObjectPermission.objects.filter(user_id=user.pk, **view))
    if len(groups) == 1:
        known.append(ReleaseGroupObjectPermission.objects.filter(group_id=groups[0], **view))
    elif groups:
        known.append(ReleaseGroupObjectPermission.objects.filter(group_id__in=groups, **view))
    return known


def remember_view_holders(user, groups, in_person: bool) -> None:
    """Keep on the user object, which lives for one request, which of their groups hold
    any view row and whether they hold one in person (read with the user by the
    authentication back end, ``raci.backends``). Like the parties and permissions kept
    beside them, a change made during the request through another object for the same
    person (or from the group's side) shows from the next request; ``forget`` and the
    groups' signal drop them for this object."""
    user._view_holders = (tuple(groups), bool(in_person))


def forget_view_holders(user) -> None:
    """Drop what ``remember_view_holders`` kept (the user's groups or rows changed): the
    rest of the request asks of every way the user may hold view rows."""
    if hasattr(user, "_view_holders"):
        del user._view_holders


def view_holders_of(user_id):
    """The groups of ``user_id`` (an id, or ``OuterRef``) holding a view row, and whether
    the user holds one in person: two index lookups a group."""
    view = view_permission()
    groups = Group.objects.filter(
        Exists(ReleaseGroupObjectPermission.objects.filter(group_id=OuterRef("pk"), **view)),
        user=user_id,
    )
    return groups.order_by().values("pk"), ReleaseUserObjectPermission.objects.filter(
        user_id=user_id, **view
    )


def _view_grants_of(people: list[int]) -> list:
    """The view rows of ``people``, asked by the permission's id and the groups' ids:
    asked by codename through the groups, PostgreSQL joined every row of a thread's
    19,000 to its permission and its group before using one (issue 17)."""
    view = view_permission()
    groups = Group.user_set.through.objects.filter(user_id__in=people).values("group_id")
    return [
        ReleaseUserObjectPermission.objects.filter(user_id__in=people, **view),
        ReleaseGroupObjectPermission.objects.filter(group_id__in=groups, **view),
    ]


def visible_releases(user, releases):
    """``releases`` (a queryset of releases) narrowed to those this user may see, as one
    query: subqueries over guardian's direct permission tables, no check per row."""
    if not _active(user):
        return releases.none()
    return releases.filter(sees_release_in(user, "id"))


def sees_release_in(user, release_field: str) -> Q:
    """A filter of the records (milestones, RfCs) whose release (``release_field``, e.g.
    "release_id") this user may see, asked of the record itself: its release among the
    ones guardian grants the user (hashed once for many records). Narrowing the records
    by ``release__in=visible_releases(...)`` made PostgreSQL read every release to build
    that set first (a thread's calendar month at 100,000 releases: 52 ms; issue 17)."""
    if not _active(user):
        return Q(pk__in=[])
    if sees_all_releases(user):
        return Q()
    field = f"{release_field}__in"
    return any_of(Q(**{field: grants.values("content_object_id")}) for grants in _view_grants(user))


def visible_release(user, releases):
    """``releases`` narrowed as ``visible_releases`` does, but asked per release
    (``EXISTS``): for a lookup of one release, where the set of every release the user
    sees would be built first (a thread's 19,000 grants at 100,000 releases, 13 ms, to
    answer for one; issue 17)."""
    if not _active(user):
        return releases.none()
    if sees_all_releases(user):
        return releases
    return releases.filter(sees_release_of(user, "id"))


def sees_release_of(user, release_field: str) -> Q:
    """A filter of the records whose release (``release_field``, e.g. "release_id") this
    user may see, asked per record (``EXISTS`` on guardian's tables): for a list read
    newest first and stopped at a page, where ``visible_releases``' set would be built
    whole first. For a user who does not see every release; nothing for one logged out."""
    if not _active(user):
        return Q(pk__in=[])
    return _granted_per_row(_view_grants(user), release_field)


def _granted_per_row(grants, release_field: str) -> Q:
    """``EXISTS`` a row of one of ``grants`` (querysets of guardian's rows) on each
    record's release."""
    return any_of(Exists(rows.filter(content_object=OuterRef(release_field))) for rows in grants)


def granted_in_person(user) -> bool:
    """Whether some release is visible to this user in person (a named assignment), not
    only through the groups of the parties they hold: as the authentication back end
    read it with the user, when it did (``remember_view_holders``)."""
    holders = getattr(user, "_view_holders", None)
    if holders is not None:
        return holders[1]
    return ReleaseUserObjectPermission.objects.filter(user=user, **view_permission()).exists()


def parties_on_release(user, release, *, deputising: bool = True) -> list[Party]:
    """The parties this user holds on this release through its assignments, and during
    a delegation those of the principals (unless ``deputising`` is False)."""
    if not user.is_authenticated:
        return []
    people = [user.pk, *(principals(user) if deputising else ())]
    return list(
        Party.objects.filter(
            Q(assignments__release_id=release.pk)
            & (Q(assignments__user_id__in=people) | Q(assignments__group__user__in=people))
        ).distinct()
    )


def principal_holding(user, release, party) -> int | None:
    """The principal through whom the user holds ``party`` (a party or its id) on the
    release, when they do not hold it themselves (a deputy of a business thread's user
    decides for the thread, "deputy of" them)."""
    party_id = getattr(party, "pk", party)
    if any(p.pk == party_id for p in parties_on_release(user, release, deputising=False)):
        return None
    for pk in principals(user):
        held = Assignment.objects.filter(release_id=release.pk, party_id=party_id).filter(
            Q(user_id=pk) | Q(group__user=pk)
        )
        if held.exists():
            return pk
    return None


def threads_on_release(user, release) -> list[Party]:
    """The affected business threads of the release that this user is a member of."""
    return [p for p in parties_on_release(user, release) if p.kind == Party.Kind.BUSINESS_THREAD]


# --- the permissions themselves ---------------------------------------------------------

_perform_ids: list[int] | None = None


def perform_permission_ids() -> list[int]:
    """The ids of the release's 'perform' permissions (one per activity), read once per
    process. Asked by id, "does this holder perform anything" is an index lookup; asked
    by codename, PostgreSQL walks every row of the holder to join each to its permission:
    the service desk's 100,000 view rows at 100,000 releases, 42 ms to find none (0.6 ms
    by id; issue 17). Read again whenever migrations run (``raci.receivers``): a
    flushed test database makes them anew."""
    global _perform_ids
    if _perform_ids:
        return _perform_ids
    found = list(
        Permission.objects.filter(
            content_type__app_label="releases",
            content_type__model="release",
            codename__startswith="perform_",
        )
        .order_by("id")
        .values_list("id", flat=True)
    )
    _perform_ids = found or None  # none yet (mid-migration): asked again next time
    return found


_view_id: int | None = None


def view_permission() -> dict:
    """The filter of guardian's rows on the release's view permission: by its id, read
    once per process as ``perform_permission_ids`` is (by codename before migrations
    made it)."""
    global _view_id
    if _view_id is None:
        _view_id = (
            Permission.objects.filter(
                content_type__app_label="releases", content_type__model="release", codename=VIEW
            )
            .values_list("id", flat=True)
            .first()
        )
    return {"permission__codename": VIEW} if _view_id is None else {"permission_id": _view_id}


_stage_activities: dict[int, list[int]] | None = None


def activity_ids_by_stage() -> dict[int, list[int]]:
    """{stage number: the ids of its activities}, read once per process as the
    permission ids are: given as lists, the start page's activities waiting (RM.1 to
    RM.7) name each stage's activities without a subquery for each stage to build and
    plan (issue 17). Read again whenever the process is loaded (``loader.load_process``)
    or migrations run."""
    global _stage_activities
    if _stage_activities:
        return _stage_activities
    found: dict[int, list[int]] = {}
    for stage, pk in Activity.objects.order_by("id").values_list("stage", "id"):
        found.setdefault(stage, []).append(pk)
    _stage_activities = found or None  # none yet (mid-migration): asked again next time
    return found


def forget_permission_ids() -> None:
    global _perform_ids, _view_id, _stage_activities
    _perform_ids = None
    _view_id = None
    _stage_activities = None


def read_permission_ids() -> None:
    """The ids kept by the process read again now, rather than by the next request that
    needs them: that request would ask one query more than the same page asks after it."""
    forget_permission_ids()
    perform_permission_ids()
    view_permission()
    activity_ids_by_stage()


# --- whoever holds a party -----------------------------------------------------------


def held_parties(user) -> dict[str, str]:
    """{name: kind} of the parties the user holds through their groups: one query per
    request, cached on the user object like Django's own permission cache (a page asks
    "does the user hold X" a dozen times), asked as an attribute as ``principals`` is (on
    PostgreSQL the authentication back end reads them with the user). Empty for an
    inactive or anonymous user."""
    if not _active(user):
        return {}
    cached = getattr(user, "_held_parties", None)
    if cached is None:
        remember_held_parties(user, held_parties_of(user.pk).values_list("name", "kind"))
        cached = user._held_parties
    return cached


def held_parties_of(user_id):
    """The parties held through the groups of ``user_id`` (an id, or ``OuterRef``)."""
    return Party.objects.filter(group__user=user_id).order_by()


def remember_held_parties(user, rows) -> None:
    """Keep on the user object, for the rest of the request, the parties (name, kind) they
    hold through their groups."""
    user._held_parties = dict(rows)


def forget_held_parties(user) -> None:
    """Drop the cache of ``held_parties`` (the user's groups changed), and of the holders
    of their view rows."""
    if hasattr(user, "_held_parties"):
        del user._held_parties
    forget_view_holders(user)


def holds_party(user, party_name: str) -> bool:
    return str(party_name) in held_parties(user)


def holds_any_party(user, names) -> bool:
    held = held_parties(user)
    return any(str(name) in held for name in names)


def is_business_thread_user(user) -> bool:
    return Party.Kind.BUSINESS_THREAD in held_parties(user).values()


def may_formalise(user) -> bool:
    """RM.1.1: a release manager creates release operations."""
    return holds_party(user, Parties.RELEASE_MANAGER)


def may_record_quarterly_review(user) -> bool:
    """Seed 002 section 6: the KPIs are reviewed every quarter to decide improvement
    actions; the release manager records the review and its decisions."""
    return holds_party(user, Parties.RELEASE_MANAGER)


def may_change_matrix(user) -> bool:
    """A process owner edits Table 4-1."""
    return _active(user) and user.has_perm(PROCESS_OWNER_PERMISSION)


def may_manage_policies(user) -> bool:
    """An application's release policy (issue 12 point 7) is the release manager's, with
    the process owner."""
    return may_formalise(user) or may_change_matrix(user)


def may_manage_master_data(user) -> bool:
    """Applications, developer organisations and environments (issue 13) are kept by the
    configuration manager (seed 003: the CMDB's owner) and the release manager, with the
    process owner; everyone else reads them."""
    return (
        holds_party(user, Parties.CONFIGURATION_MANAGER)
        or holds_party(user, Parties.RELEASE_MANAGER)
        or may_change_matrix(user)
    )


def may_see_organisation_members(user) -> bool:
    """Who works for a developer organisation is for the ITSM staff and the
    organisation's own people."""
    return sees_all_releases(user) or may_manage_master_data(user)


# --- change management ----------------------------------------------------------------


def may_manage_changes(user) -> bool:
    """The change manager assesses RfCs, holds the CAB and decides (A) on its advice."""
    return holds_party(user, Parties.CHANGE_MANAGER)


def may_raise_rfc(user) -> bool:
    """Anyone of the service or of DG TAXUD's business may ask for a change (seed 003:
    RfCs come from anywhere); the 3rd party developers deliver changes, they do not ask
    for them here."""
    return sees_all_releases(user) or is_business_thread_user(user)


def _ways_to_rfcs(user, rfcs) -> list:
    """The ways a user who is not ITSM staff sees an RfC of ``rfcs``: those they asked
    for, those carried by a release they see (their own or their group's right), those
    on the agenda of a board they sit on."""
    on_board = rfcs.model.objects.filter(agenda_items__meeting__members__user=user).values("pk")
    released = [Q(release_id__in=g.values("content_object_id")) for g in _own_view_grants(user)]
    return [Q(requester=user), *released, Q(pk__in=on_board)]


def _own_view_grants(user) -> list:
    """The view rows the user holds themself, in person and through their groups (not
    their principals'): of the holders the back end found, when it did
    (``_known_view_grants``)."""
    known = _known_view_grants(user)
    return known if known is not None else _view_grants_of([user.pk])


def visible_rfcs(user, rfcs):
    """``rfcs`` narrowed to those this user may see, as one query without DISTINCT (each
    way in is a subquery): ITSM staff see every RfC; others those they asked for, those
    carried by a release they see, and those on the agenda of a board they sit on."""
    if not _active(user):
        return rfcs.none()
    if sees_all_releases(user):
        return rfcs
    return rfcs.filter(any_of(_ways_to_rfcs(user, rfcs)))


def visible_rfcs_among(user, rfcs):
    """``rfcs`` narrowed as ``visible_rfcs`` does, asked per RfC (``EXISTS``): for a
    handful (the RfC of a page, the conflicts it names), where ``visible_rfcs`` builds
    the set of every release the user sees first (a thread's 19,000 at 100,000
    releases; issue 17)."""
    if not _active(user):
        return rfcs.none()
    if sees_all_releases(user):
        return rfcs
    asked, *_, on_board = _ways_to_rfcs(user, rfcs)
    released = _granted_per_row(_own_view_grants(user), "release_id")
    return rfcs.filter(asked | released | on_board)


def may_edit_rfc(user, rfc) -> bool:
    """Its requester edits a draft; the change manager edits it until the CAB hears it
    (then a reassessment reopens it)."""
    if rfc.status == rfc.Status.DRAFT and user.pk == rfc.requester_id:
        return True
    return rfc.status in rfc.EDITABLE_STATES and may_manage_changes(user)


def sits_on(user, meeting) -> bool:
    """A member of this CAB meeting: they give advice on its agenda."""
    return _active(user) and meeting.members.filter(user=user).exists()


def may_send_mass_notifications(user) -> bool:
    """RM.6.1 / RM.6.6: the service desk sends the mass e-mail to the impacted users."""
    return holds_party(user, Parties.SERVICE_DESK)


def follows_mass_notifications(user, release, parties=None) -> bool:
    """RM.6.1 / RM.6.6: the release's mass notifications concern the service desk, who
    sends them, and the release's parties, who asked for them or are told of them
    (``parties``: ``parties_on_release`` when the caller has read them already)."""
    if may_send_mass_notifications(user):
        return True
    return bool(parties_on_release(user, release) if parties is None else parties)


def may_handle_replies(user) -> bool:
    """Issue 16: the replies to decision mails that the tool could not record wait in
    the deployment coordinator's queue (the coordinator records a thread's decision on
    its behalf at RM.4 to RM.7); the release manager sees it too."""
    return holds_party(user, Parties.DEPLOYMENT_COORDINATOR) or holds_party(
        user, Parties.RELEASE_MANAGER
    )


def may_see_subscribers(user) -> bool:
    """Subscribers' addresses are personal data: the service desk, who sends to them,
    and the release managers, who answer for the release's communication."""
    return (
        _active(user)
        and user.is_superuser
        or may_send_mass_notifications(user)
        or holds_party(user, Parties.RELEASE_MANAGER)
    )


# --- rules of a single activity --------------------------------------------------------


def may_mark_task_done(user, release, assignee_id) -> bool:
    """RM.3.1: a deployment task is marked done by its assignee, or by the deployment
    coordinator (R/A of RM.3.1) for anyone."""
    return (assignee_id is not None and user.pk == assignee_id) or may_perform(
        user, release, "RM.3.1"
    )


#: the activities whose R and A hold the deployment plan: initialised (RM.1.3), completed
#: with the tasks (RM.3.1) and updated at closure (RM.6.7); revised by them in between
PLAN_HOLDERS = ("RM.1.3", "RM.3.1", "RM.6.7")


def may_revise_deployment_plan(user, release) -> bool:
    """The deployment plan is revised by a party R or A of RM.1.3, RM.3.1 or RM.6.7."""
    return any(may_perform(user, release, code) for code in PLAN_HOLDERS)


def may_report_tests(user, release) -> bool:
    """pSAT reports belong to RM.4.1, the SAT, DQR and qualification ones to RM.4.2."""
    return may_perform(user, release, "RM.4.1") or may_perform(user, release, "RM.4.2")


def may_plan_conformance(user, release) -> bool:
    """The conformance testing milestone is planned by RM.7.1's release manager or by an
    ITSM Campaign Coordinator, who runs the CT campaign (RM.7.1, RM.7.2)."""
    return may_perform(user, release, "RM.7.1") or holds_party(user, Parties.CAMPAIGN_COORDINATOR)


def may_add_ct_report(user, release) -> bool:
    """RM.7.2: the campaign coordinator (consulted) attaches reports too."""
    return may_perform(user, release, "RM.7.2") or holds_party(user, Parties.CAMPAIGN_COORDINATOR)


# --- configuration management ------------------------------------------------------------


def may_confirm_ci_changes(user) -> bool:
    """RM.6.7 reports the end to the configuration manager "so that he/she can update the
    status of the CIs in the CMDB": the holders of that party confirm the changes."""
    return holds_party(user, Parties.CONFIGURATION_MANAGER)


# --- the definitive software library ---------------------------------------------------


def may_verify_library(user) -> bool:
    """A re-check of a version's stored files (RM.2.3, RM.6.7): the configuration manager,
    who keeps the CMDB, and the release manager, Accountable for the DSL."""
    return holds_party(user, Parties.CONFIGURATION_MANAGER) or holds_party(
        user, Parties.RELEASE_MANAGER
    )


def may_record_archive_media(user) -> bool:
    """RM.2.4: Infra copies the archive to two media and says where each is kept; the
    release manager, Accountable for RM.2.4, may record it for them."""
    return holds_party(user, Parties.INFRASTRUCTURE_MANAGER) or holds_party(
        user, Parties.RELEASE_MANAGER
    )


# --- the satisfaction survey after closure --------------------------------------------


def may_read_satisfaction(user, release) -> bool:
    """Every answer to a release's satisfaction survey: its release managers (RM.6.7,
    the closure, is theirs) who may see the release; anyone else reads their own."""
    return holds_party(user, Parties.RELEASE_MANAGER) and may_view(user, release)


# --- go-live readiness (issue 14) ------------------------------------------------------


def may_edit_checklist_templates(user) -> bool:
    """The Move2Run checklist of each release type is process data, kept by the process
    owner like Table 4-1 and the waivable activities."""
    return may_change_matrix(user)


def holds_party_on_release(user, release, party_id: int) -> bool:
    """Does the user hold this party on this release (RM.1.2's assignments)? A deputy
    who holds it only through their principal has it noted for the audit log ("deputy
    of")."""
    held = any(p.pk == party_id for p in parties_on_release(user, release))
    if held and principals(user):
        note_deputising(user, release, principal_holding(user, release, party_id))
    return held


def is_accountable(user, release, code: str) -> bool:
    """Does the user hold on this release the party marked A for activity ``code`` in
    Table 4-1 (RM.6.2's: the deployment coordinator)?"""
    accountable = set(
        RaciCell.objects.filter(activity__code=code, letters__contains="A").values_list(
            "party_id", flat=True
        )
    )
    return _active(user) and any(p.pk in accountable for p in parties_on_release(user, release))


def may_confirm_checklist_item(user, release, item) -> bool:
    """Seed 002 section 3: a user of the party that owns a Move2Run item confirms it."""
    return _active(user) and holds_party_on_release(user, release, item.owner_party_id)


def may_waive_checklist_item(user, release) -> bool:
    """Only the accountable party of RM.6.2 lets the release go live with an item open."""
    return is_accountable(user, release, "RM.6.2")


def may_carry_checklist_item(user, release, item) -> bool:
    """A low item goes into hypercare on the word of its owner or of RM.6.2's
    accountable party."""
    return may_confirm_checklist_item(user, release, item) or may_waive_checklist_item(
        user, release
    )


# --- after go-live (issue 14) ----------------------------------------------------------

#: the parties that run a release in production and record its incidents in hypercare,
#: besides the release manager and the deployment coordinator (A and R of RM.6.5): the
#: Run Team of seed 002 section 5
OPERATING_PARTIES = (
    Parties.SERVICE_DESK,
    Parties.INFRASTRUCTURE_MANAGER,
    Parties.APPLICATION_MANAGER,
)


def may_record_incident(user, release) -> bool:
    """Incidents in hypercare are recorded by who operates the release: the R and A of
    RM.6.5 on it (its deployment coordinator, the release manager) and the ITSM parties
    that run production; everyone else on the release reads them."""
    if may_perform(user, release, "RM.6.5"):
        return True
    return may_view(user, release) and holds_any_party(user, OPERATING_PARTIES)


def may_close_hypercare(user, release) -> bool:
    """Hypercare ends with the release manager's word: R and A of the closure (RM.6.7),
    A of the go-live (RM.6.5)."""
    return may_perform(user, release, "RM.6.7")


def operates_releases(user) -> bool:
    """Whether the user holds a party that runs releases in production (the release
    manager, a deployment coordinator, the Run Team): their start page lists the open
    incidents of releases in hypercare."""
    names = [Parties.RELEASE_MANAGER, Parties.DEPLOYMENT_COORDINATOR, *OPERATING_PARTIES]
    return holds_any_party(user, names)


# --- the runbook and the Go/No-Go board (issue 14) --------------------------------------

#: who writes a release's runbook: the parties R or A of RM.5.1 (the installation plan
#: and release notes: the deployment coordinator, the release manager), with whoever holds
#: the application manager on the release (the "technical teams" of seed 002 section 3,
#: owner of the Move2Run item "Runbook updated")
RUNBOOK_ACTIVITY = "RM.5.1"


def may_write_runbook(user, release) -> bool:
    """Seed 002 section 3: the runbook is completed before the go-live by those who
    prepare the installation; everyone else on the release reads it."""
    if not _active(user):
        return False
    return may_perform(user, release, RUNBOOK_ACTIVITY) or any(
        p.name == Parties.APPLICATION_MANAGER for p in parties_on_release(user, release)
    )


#: the Go/No-Go board gathers RM.5.2's authorisations: its A records GO or NO-GO
BOARD_ACTIVITY = "RM.5.2"


def may_decide_board(user, release) -> bool:
    """GO or NO-GO at the board: the party accountable for RM.5.2 in Table 4-1 (the
    deployment coordinator, read from the table, not assumed)."""
    return is_accountable(user, release, BOARD_ACTIVITY)


def may_cancel_at_board(user, release) -> bool:
    """A board that cancels the release fires the cancel transition, whose activity is
    RM.1.1 (the release manager, R and A of it)."""
    return may_perform(user, release, "RM.1.1")


def may_hold_board(user, release) -> bool:
    """Schedules the board and names who sits on it: RM.5.2's accountable party, or the
    release manager who chairs it (RM.1.1)."""
    return may_decide_board(user, release) or may_cancel_at_board(user, release)


# --- deputies (issue 16 point 4) --------------------------------------------------------

#: the model permission that lets an administrator name a deputy for anyone
DEPUTY_ADMIN_PERMISSION = "raci.add_delegation"


def may_name_deputies_for_anyone(user) -> bool:
    """A user names their own deputy; an administrator (a superuser, or a staff user
    given the permission to add delegations) names one for anyone, when the user is
    away without having done so."""
    return _active(user) and (user.is_superuser or user.has_perm(DEPUTY_ADMIN_PERMISSION))


def may_name_deputy(user, principal) -> bool:
    return _active(user) and (user.pk == principal.pk or may_name_deputies_for_anyone(user))


def may_revoke_delegation(user, delegation) -> bool:
    """The principal ends their delegation, the deputy steps down, an administrator
    ends anyone's."""
    return _active(user) and (
        user.pk in (delegation.principal_id, delegation.deputy_id)
        or may_name_deputies_for_anyone(user)
    )
