"""The project's URL patterns, walked from the root resolver so that a new URL is covered
(or reported as unclassified) without editing the tests, and turned into paths."""

import re
from dataclasses import dataclass
from datetime import timedelta

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone


@dataclass(frozen=True)
class Route:
    route: str  # as ResolverMatch.route reports it
    name: str | None  # namespaced
    namespace: str
    kwargs: frozenset[str]
    callback: object

    @property
    def is_api(self) -> bool:
        return hasattr(self.callback, "cls")

    def path(self, **values) -> str:
        """The path of this pattern with ``values`` for its arguments; checked to resolve
        back to this very pattern."""
        missing = self.kwargs - set(values)
        assert not missing, f"{self.route}: no value for {sorted(missing)}"
        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m.group(1)]), self.route)
        path = re.sub(r"<drf_format_suffix:(\w+)>", lambda m: f".{values[m.group(1)]}", path)
        path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), path)
        path = "/" + path.replace("/?$", "").replace("$", "").replace("\\.", ".")
        match = resolve(path)
        assert match.route == self.route, f"{path} resolves to {match.route}, not {self.route}"
        return path


def _walk(resolver, prefix, namespace, kwargs):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern).removeprefix("^")
        captured = kwargs | set(pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = ":".join(n for n in (namespace, pattern.namespace) if n)
            yield from _walk(pattern, route, inner, captured)
        elif isinstance(pattern, URLPattern):
            name = pattern.name and (f"{namespace}:{pattern.name}" if namespace else pattern.name)
            yield Route(route, name or None, namespace, frozenset(captured), pattern.callback)


def routes() -> list[Route]:
    """Every URL pattern of the project, once each (routers repeat the API root)."""
    seen, unique = set(), []
    for route in _walk(get_resolver(), "", "", set()):
        if route.route not in seen:
            seen.add(route.route)
            unique.append(route)
    return unique


# --- what each pattern is ------------------------------------------------------------

#: Argument-free pages, lists and endpoints: anyone logged in may open them, and they
#: must show a user nothing of another thread's releases.
NO_ARGUMENTS = {
    "home",
    "login",
    "logout",
    "releases:list",
    "releases:create",
    "releases:schedule",
    "dashboards:approvals",
    "dashboards:inbox",
    "raci:matrix",
    "raci:matrix_csv",
    "raci:activities",
    "api-root",
    "release-list",
    "rfc-list",
    "rfc-schedule",
    "cabmeeting-list",
    "changemodel-list",
    "application-list",
    "party-list",
    "activity-list",
    "organisation-list",
    "people",
    "api-token",
    "api-tokens",
    "accounts:tokens",
    "accounts:token_create",
    "schema",
    "api-docs",
}
#: The calendar: its page, its entries, the address of the user's feed.
NO_ARGUMENTS |= {
    "dashboards:calendar",
    "calendar",
    "accounts:calendar_feed",
    "accounts:calendar_feed_regenerate",
}
#: The exports of the release list, the release schedule and the change schedule (CSV
#: streamed, or XLSX): the lists' visibility, as files.
EXPORTS = {
    "releases:export",
    "releases:schedule_export",
    "changes:schedule_export",
    "release-export",
    "release-schedule-export",
    "rfc-schedule-export",
}
NO_ARGUMENTS |= EXPORTS
#: The KPIs (issue 15): the page, its CSV tables and its API, counted over the releases
#: the reader may see.
NO_ARGUMENTS |= {"kpis:page", "kpis:export", "kpis:flow", "api-kpis", "api-kpis-flow"}
#: The quarterly reviews of the KPIs (seed 002 section 6): the ITSM staff's, whose figures
#: are of every release; a business thread gets 403. A quarter as 2026-Q3.
NO_ARGUMENTS |= {"kpis:reviews", "kpi-reviews"}
QUARTER = {"quarter": "2026-Q3"}
SHARED = {
    "kpis:review": QUARTER,
    "kpis:review_action": QUARTER | {"pk": 1},
    "kpi-review": QUARTER,
    "kpi-review-action": QUARTER | {"pk": 1},
}
#: What a list needs in its query to answer at all (the calendar's range).
QUERIES = {
    "calendar": {
        "start": (timezone.localdate() - timedelta(days=60)).isoformat(),
        "end": (timezone.localdate() + timedelta(days=300)).isoformat(),
    }
}
#: A personal iCalendar feed, read without a login by its secret address.
FEEDS = {"dashboards:calendar_feed": "token"}
#: Release patterns with an argument besides the identifier: a value for it. A pattern
#: whose only argument is the release identifier needs no entry: it is a release URL.
RELEASE_ARGUMENTS = {
    "releases:activity": {"code": "RM.6.4"},
    "deployments:decide": {"kind": "rollback"},
    "releases:transition": {"name": "cancel"},
    "transition": {"name": "cancel"},
    "releases:waive": {"code": "RM.3.1"},
    "releases:catch_up": {"code": "RM.3.1"},
    "release-waive": {"code": "RM.3.1"},
    "release-catch-up": {"code": "RM.3.1"},
    # an incident of the release's hypercare, by its reference (issue 14)
    "aftercare:incident_resolve": {"reference": "INC-1"},
    "hypercare-incident-resolve": {"reference": "INC-1"},
    # an improvement action of the release's post-release review, by its id
    "aftercare:action_move": {"pk": 1},
    "review-action": {"pk": 1},
    # one version in an application's DSL: the version is a release
    "dsl:verify": {"code": "ecs"},
    "dsl:medium": {"code": "ecs"},
    "dsl-verify": {"code": "ecs"},
    "dsl-media": {"code": "ecs"},
}
#: Patterns naming one object that belongs to a release, and the argument naming it.
OBJECTS = {
    "deployments:mass_progress": "pk",
    "mass-notification": "pk",
}
#: The configuration manager's tasks (RM.6.7): one per release, seen with the release.
CI_TASKS = {"dsl:ci_task", "ci-task", "ci-task-confirm"}
OBJECTS |= dict.fromkeys(CI_TASKS, "pk")
NO_ARGUMENTS |= {"dsl:ci_tasks", "ci-tasks"}
#: A configuration item by its pk: master data everyone logged in reads; the release that
#: delivered it (and those that changed its status) named only for whoever sees them.
CI_ITEMS = {"dsl:configuration_item", "ci-item"}
#: The user's own things, named by a key: another user's key answers as a missing one.
PERSONAL = {"api-token-detail": "token_key", "accounts:token_revoke": "token_key"}
#: The inbox (issue 16): the user's own messages, each by its addressee's row; another
#: user's row answers as a missing one (404), on every method.
MESSAGES = {"dashboards:message", "dashboards:message_unread", "message-read", "message-unread"}
NO_ARGUMENTS |= {
    "dashboards:inbox_counts",
    "dashboards:inbox_read_all",
    "messages",
    "messages-counts",
    "messages-read-all",
    # what the user owes now, with due dates (issue 16 point 3): only their own
    "owed",
}
#: Deputies (issue 16 point 4): the user's own delegations, given or received, listed and
#: named without an argument; one by its pk, revoked only by its principal, its deputy or
#: an administrator: anyone else's answers as a missing one (404).
NO_ARGUMENTS |= {"deputies:list", "deputies"}
DELEGATIONS = {"deputies:revoke", "deputy-revoke"}
#: A personal link mailed to one user (releasemgmt.accounts.personal_links), named by its
#: signed token: the login first; another user's token, an altered one or none at all
#: answer alike (404).
PERSONAL_LINKS = {"accounts:personal_link": "token"}
#: The deployment coordinator's queue of replies to decision mails (issue 16): the list,
#: and each inbound mail by its pk (its raw download, record by hand, dismiss); a
#: business thread or a developer gets 403 on all of them.
NO_ARGUMENTS |= {"deployments:replies", "replies"}
REPLIES = {
    "deployments:reply",
    "deployments:reply_raw",
    "deployments:reply_record",
    "deployments:reply_dismiss",
}
#: Downloads of a file kept for a release, named by its kind and id.
FILES = {"download", "api-download"}
#: Reference data (Table 4-1) and per-application pages, the same for every thread.
SHARED |= {
    "raci:edit_cell": {"code": "RM.1.3", "party": "a3-cust"},
    "party-detail": {"slug": "a3-cust"},
    "activity-detail": {"code": "RM.1.3"},
    "activity-set-cell": {"code": "RM.1.3", "party": "a3-cust"},
    "application-detail": {"code": "ecs"},
    "organisation-detail": {"name": "Acme Software"},
    "dsl:subscribers": {"code": "ecs"},
    # an application's DSL lists only the versions the user may see
    "dsl:library": {"code": "ecs"},
    "dsl-versions": {"code": "ecs"},
    "subscriber-import": {"code": "ecs"},
    "raci:edit_waivable": {"code": "RM.3.1", "release_type": "emergency"},
    "activity-set-waivable": {"code": "RM.3.1", "release_type": "emergency"},
    "policies:edit": {"code": "ecs"},
    "policy-detail": {"code": "ecs"},
    # a part of the start page, loaded by htmx (every part: test_isolation.py)
    "dashboards:start_part": {"part": "decisions"},
}
#: Master data (tests/dsl/test_environments.py): applications, their environments with
#: what each runs (a release's identifier only for whoever sees it), developer
#: organisations; everyone logged in reads, the keepers write.
NO_ARGUMENTS |= {"applications:list", "applications:create", "raci:organisations"}
ENVIRONMENT = {"code": "ecs", "env": "production"}
SHARED |= {
    "applications:detail": {"code": "ecs"},
    "applications:edit": {"code": "ecs"},
    "applications:environment_create": {"code": "ecs"},
    "applications:environment": ENVIRONMENT,
    "applications:environment_edit": ENVIRONMENT,
    "environment-list": {"code": "ecs"},
    "environment-detail": ENVIRONMENT,
    "environment-history": ENVIRONMENT,
    "dsl:configuration_items": {"code": "ecs"},
    "ci-items": {"code": "ecs"},
    "raci:organisation": {"name": "Acme Software"},
    "organisation-members": {"name": "Acme Software"},
    "organisation-member": {"name": "Acme Software", "username": "nobody"},
}

#: Change management's pages without an argument: lists and forms.
NO_ARGUMENTS |= {
    "changes:start",
    "changes:rfcs",
    "changes:raise",
    "changes:schedule",
    "changes:meetings",
    "changes:plan_meeting",
}
#: Change management's patterns naming one RfC by its reference, with a value for any
#: other argument (an attachment's pk is the world's own where one is needed).
RFC_ARGUMENTS = {
    "changes:rfc": {},
    "changes:rfc_record": {},
    "changes:revise": {},
    "changes:review": {},
    "changes:attach": {},
    "changes:step": {"name": "withdraw"},
    "changes:attachment": {"pk": 1},
}
#: A CAB meeting's patterns, named by its pk: its members and the ITSM staff only.
MEETINGS = {
    "changes:meeting",
    "changes:meeting_conflicts",
    "changes:agenda",
    "changes:advice",
    "changes:decide",
    "changes:minutes",
}

#: Blackout and maintenance windows: everyone logged in reads them, only the release
#: manager writes (tests/releases/test_windows_pages.py); a window by its pk.
NO_ARGUMENTS |= {"windows:list", "windows:create", "window-list"}
#: Release types and release policies (tests/releases/test_release_types.py,
#: test_release_policy.py): everyone logged in reads them.
NO_ARGUMENTS |= {"policies:list", "policy-list", "release-types"}
WINDOWS = {"windows:edit", "windows:delete", "window-detail"}

#: Release packages: the list and the form without an argument; a package by its pk,
#: seen by whoever may see one of its releases (a release of it also by identifier).
NO_ARGUMENTS |= {"packages:list", "packages:create", "package-list"}
#: Lessons learned (issue 14): the search and the latest of an application, each narrowed
#: to the lessons of the releases the user may see.
NO_ARGUMENTS |= {"aftercare:lessons", "aftercare:lessons_latest", "lesson-list"}
#: The DSL's applications, each leading to its library.
NO_ARGUMENTS |= {"dsl:libraries"}
PACKAGES = {
    "packages:detail": set(),
    "packages:edit": set(),
    "package-detail": set(),
    "package-releases": set(),
    "packages:remove_release": {"identifier"},
    "package-release": {"identifier"},
}


#: Go-live readiness (tests/readiness/): a release's checklist items by their id, with
#: the release; the Move2Run templates are process data everyone logged in reads.
RELEASE_ARGUMENTS |= {
    "readiness:item_action": {"pk": 1, "action": "confirm"},
    "checklist-item-confirm": {"pk": 1},
    "checklist-item-waive": {"pk": 1},
    "checklist-item-carry": {"pk": 1},
}
NO_ARGUMENTS |= {"readiness:templates", "checklist-template-list"}
#: The Go/No-Go board's outcome, a board of the release by its id.
RELEASE_ARGUMENTS |= {"readiness:board_outcome": {"pk": 1}, "board-outcome": {"pk": 1}}
SHARED |= {
    "readiness:template_item": {"pk": 1},
    "readiness:template_item_remove": {"pk": 1},
    "checklist-template-item": {"pk": 1},
}


def category(route: Route) -> str | None:
    """admin, list, release, object, rfc, meeting, file, shared, personal, message,
    delegation, link, feed, window, ci_item, reply or package;
    None for a pattern nobody classified."""
    if route.namespace == "admin":
        return "admin"
    arguments = route.kwargs - {"format"}
    if not arguments and route.name in NO_ARGUMENTS:
        return "list"
    if arguments == {"identifier", *RELEASE_ARGUMENTS.get(route.name, {})}:
        return "release"
    if arguments == {OBJECTS.get(route.name)}:
        return "object"
    if route.name in RFC_ARGUMENTS and arguments == {"reference", *RFC_ARGUMENTS[route.name]}:
        return "rfc"
    if route.name in MEETINGS and arguments == {"pk"}:
        return "meeting"
    if route.name in SHARED and arguments == set(SHARED[route.name]):
        return "shared"
    if route.name in FILES and arguments == {"kind", "pk"}:
        return "file"
    if arguments == {PERSONAL.get(route.name)}:
        return "personal"
    if route.name in MESSAGES and arguments == {"pk"}:
        return "message"
    if route.name in DELEGATIONS and arguments == {"pk"}:
        return "delegation"
    if arguments == {PERSONAL_LINKS.get(route.name)}:
        return "link"
    if route.name in WINDOWS and arguments == {"pk"}:
        return "window"
    if route.name in CI_ITEMS and arguments == {"pk"}:
        return "ci_item"
    if route.name in REPLIES and arguments == {"pk"}:
        return "reply"
    if route.name in PACKAGES and arguments == {"pk", *PACKAGES[route.name]}:
        return "package"
    if arguments == {FEEDS.get(route.name)}:
        return "feed"
    return api_change_category(route, arguments)


def sample_path(route: Route, *, identifier: str, pk: int, reference: str) -> str:
    """A path for any classified pattern: the release, object or admin row given."""
    values = {
        "format": "csv" if route.name in EXPORTS else "json",
        "identifier": identifier,
        "pk": pk,
        "reference": reference,
        "object_id": pk,
        "id": pk,
        "content_type_id": 1,
        "app_label": "auth",
        "url": "nowhere/",
        "kind": "component",
        "token_key": "nosuchkey",
        "token": "nosuchtoken",
        **RELEASE_ARGUMENTS.get(route.name, {}),
        **RFC_ARGUMENTS.get(route.name, {}),
        **SHARED.get(route.name, {}),
    }
    return route.path(**(values | API_RFCS.get(route.name, {})))


# --- change management's API: requests for change and CAB meetings -------------------
# (tested by test_isolation_change_api.py)

#: API patterns naming an RfC by its reference, with a value for each other argument. An
#: RfC is seen by ITSM staff, its requester, the threads of the release that carries it
#: and the members of a board that hears it; anyone else gets the 404 of no such RfC.
API_RFCS = {
    "rfc-detail": {},
    "rfc-step": {"name": "submit"},
    "rfc-review": {},
    "rfc-attachments": {},
    "rfc-history": {},
}
#: API patterns naming a document of an RfC: its reference and the document's id (pk).
API_RFC_FILES = {"rfc-attachment"}
#: API patterns naming a CAB meeting by its id (pk): seen by ITSM staff and its members.
API_MEETINGS = {
    "cabmeeting-detail",
    "cabmeeting-agenda",
    "cabmeeting-advice",
    "cabmeeting-decisions",
    "cabmeeting-minutes",
}


def api_change_category(route: Route, arguments: set) -> str | None:
    """api rfc or api meeting, for change management's API patterns."""
    if route.name in API_RFCS and arguments == {"reference", *API_RFCS[route.name]}:
        return "api rfc"
    if route.name in API_RFC_FILES and arguments == {"reference", "pk"}:
        return "api rfc"
    if route.name in API_MEETINGS and arguments == {"pk"}:
        return "api meeting"
    return None
