"""The activity registry: one declaration per activity of section 4.4, made by the app
that owns it (``<app>/activities.py``, loaded when the app is ready). The activity page,
its API endpoint and its schema are generated from here; an activity's stage is the
catalogue's (``raci/data/rm_activities.json``), read through ``stage_of``.

Adding an activity means: its spec here, its service, its form, its partial, its test."""

from collections.abc import Callable
from dataclasses import dataclass, field

from raci import permissions
from raci.catalogue import activities as catalogue
from releasemgmt.units import unit_of_work

from .stages import STAGE_OF_NUMBER, Stage


def _no_records(release, user) -> dict:
    return {}


@dataclass(frozen=True)
class Action:
    """An extra action offered on an activity's page and at
    ``/api/v1/releases/<id>/actions/<slug>/`` (uploads, tasks, RfC inclusion)."""

    slug: str
    form: type
    perform: Callable
    label: str
    activity: str
    #: offered while the release is open, not only while the activity is pending
    while_open: bool = False
    #: who may try it at all, checked before the input (the service decides the rest);
    #: by default the R and A of ``activity``
    allowed: Callable | None = None
    #: other activities whose pages offer it too
    also_on: tuple[str, ...] = ()

    def may_try(self, user, release) -> bool:
        if self.allowed is not None:
            return self.allowed(user, release)
        return permissions.may_perform(user, release, self.activity)


@dataclass(frozen=True)
class ActivitySpec:
    """How one activity is performed and shown."""

    code: str
    label: str
    #: the form and the service that perform it; None when it has a page of its own
    form: type | None = None
    perform: Callable | None = None
    #: URL name of its own page (RM.1.2 assigns roles on the release's roles page)
    page: str = ""
    #: the templates that show its records on its page, and their context
    partials: tuple[str, ...] = ()
    records: Callable = _no_records
    actions: tuple[Action, ...] = field(default=())

    @property
    def stage(self) -> int:
        return stage_of(self.code)


def perform(step: "ActivitySpec | Action", release, *, by, data: dict):
    """An activity's or an action's service, as the page and the API run it: one unit of
    work, so that the events of the step (a decision recorded, the activity done, the
    stage moved) have the release's derived records worked out once, at its end."""
    with unit_of_work():
        return step.perform(release, by=by, **data)


_ACTIVITIES: dict[str, ActivitySpec] = {}
_ACTIONS: dict[str, Action] = {}


def register(spec: ActivitySpec) -> ActivitySpec:
    """Declare an activity (once) with its own actions."""
    if spec.code not in _catalogue():
        raise ValueError(f"{spec.code} is not an activity of section 4.4.")
    if spec.code in _ACTIVITIES:
        raise ValueError(f"{spec.code} is declared twice.")
    _ACTIVITIES[spec.code] = spec
    for action in spec.actions:
        add_action(action)
    return spec


def add_action(action: Action) -> Action:
    """Declare an extra action on an activity another app owns (an RfC included at
    RM.1.1 is a write of change management)."""
    if action.slug in _ACTIONS:
        raise ValueError(f"The action {action.slug} is declared twice.")
    _ACTIONS[action.slug] = action
    return action


def _catalogue() -> dict[str, dict]:
    return {a["code"]: a for a in catalogue()}


def stage_of(code: str) -> int:
    """The stage number (RM.n) of an activity, from the process's own text."""
    return _catalogue()[code]["stage"]


def working_stage(code: str) -> Stage:
    """The release stage in which activity ``code`` is performed."""
    return STAGE_OF_NUMBER[stage_of(code)]


def find(code: str) -> ActivitySpec | None:
    return _ACTIVITIES.get(code)


def all_activities() -> list[ActivitySpec]:
    """Every declared activity, in the order of section 4.4."""
    order = list(_catalogue())
    return sorted(_ACTIVITIES.values(), key=lambda spec: order.index(spec.code))


def performed_by_form() -> list[ActivitySpec]:
    """The activities performed through their own form (and API endpoint)."""
    return [spec for spec in all_activities() if spec.form is not None]


def find_action(slug: str) -> Action | None:
    return _ACTIONS.get(slug)


def all_actions() -> list[Action]:
    return list(_ACTIONS.values())


def actions_on(code: str) -> list[Action]:
    """The extra actions an activity's page offers (to whom and when: ``offered``)."""
    return [a for a in _ACTIONS.values() if a.activity == code or code in a.also_on]


def offered(action: Action, user, release, *, pending: bool) -> bool:
    """An action is offered on an open release, while its activity is pending (or at
    any time for ``while_open`` ones), to those who may try it."""
    return release.is_open and (pending or action.while_open) and action.may_try(user, release)
