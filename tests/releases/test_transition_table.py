"""Table-driven transition tests: every (state, transition, party) cell (DESIGN).

A release is walked through the API to the start of each stage it can be in
(tests.lifecycle). There, through ``POST /api/v1/releases/<identifier>/transitions/<name>/``:

- the release manager and the deployment coordinator ask for every transition of the
  stage machine their party is R or A for (Table 4-1 via TRANSITION_ACTIVITY);
- a holder of every column of Table 4-1 asks for every transition the stage allows.

The answers expected come from the tables below, in the order the API checks: 404 for a
business thread or developer not on the release, 409 when the stage does not allow the
transition, 403 unless the caller's party is R or A for its activity, 409 naming the gates
not yet done, 400 for a cancellation or a return for correction without a reason, 200
otherwise. After every refused call the stage, read again through the API, is unchanged.
Only one transition can succeed per release: the first 200 cell fires; the other 200
cells are the ones answering 400 without a reason, every other check having passed.
"""

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from raci.models import Organisation
from releases.lifecycle import GATES, TRANSITION_ACTIVITY
from tests.conftest import party
from tests.lifecycle import install

with open(Path(__file__).parents[2] / "raci/data/rm_raci.csv", newline="") as fh:
    _reader = csv.DictReader(fh)
    COLUMNS = _reader.fieldnames[2:]
    RACI = {row["activity"]: row for row in _reader}

#: transition -> the stages it leaves from (releases/models.py)
SOURCES = {
    "receive": {"planning"},
    "kick_off": {"receiving"},
    "start_acceptance": {"kickoff"},
    "request_authorisation": {"acceptance"},
    "authorise_installation": {"authorisation"},
    "start_conformance": {"installation"},
    "close": {"installation", "conformance"},
    "roll_back": {"installation"},
    "close_failed": {"rolled_back"},
    "reauthorise": {"rolled_back"},
    "return_for_correction": {"acceptance"},
    "cancel": {"planning", "receiving", "kickoff", "acceptance", "authorisation"},
}
#: (stage, transition) -> the gates still missing at the start of the stage
MISSING = {
    ("planning", "receive"): ["RM.1.3", "RM.1.4"],
    ("receiving", "kick_off"): ["RM.2.1", "RM.2.2", "RM.2.3", "RM.2.4"],
    ("kickoff", "start_acceptance"): ["RM.3.1", "RM.3.2", "RM.3.3"],
    ("acceptance", "request_authorisation"): ["RM.4.1", "RM.4.2"],
    ("authorisation", "authorise_installation"): ["RM.5.1", "RM.5.2"],
    ("installation", "start_conformance"): ["Conformance testing is not planned"],
    ("installation", "close"): ["RM.6.1", "RM.6.2", "RM.6.3", "RM.6.5", "RM.6.6", "RM.6.7"],
    ("installation", "roll_back"): ["RM.6.4"],
    ("conformance", "close"): ["RM.7.1", "RM.7.2"],
    ("rolled_back", "close_failed"): ["RM.6.6", "RM.6.7"],
}
#: where the transitions whose gates are met at the start of a stage take the release
TARGET = {
    "cancel": "cancelled",
    "return_for_correction": "receiving",
    "reauthorise": "authorisation",
}
NEEDS_REASON = {"cancel", "return_for_correction"}
RM, DC = "ITSM Release Manager", "ITSM Deployment Coordinator"


def may_fire(column: str, name: str) -> bool:
    return bool(set(RACI[TRANSITION_ACTIVITY[name]][column]) & {"R", "A"})


@dataclass
class Holder:
    """A user holding one party (``column``), on this release or not."""

    label: str
    column: str
    user: object
    on_release: bool = True

    @property
    def visible(self):
        return self.on_release or self.column.startswith("ITSM ")

    def may_fire(self, name):
        return self.on_release and may_fire(self.column, name)


def expected(stage, name, holder, reason=True):
    """(status, missing gates) of one cell."""
    if not holder.visible:
        return 404, None
    if stage not in SOURCES[name]:
        return 409, None
    if not holder.may_fire(name):
        return 403, None
    if (stage, name) in MISSING:
        return 409, MISSING[stage, name]
    if name in NEEDS_REASON and not reason:
        return 400, None
    return 200, None


def fire(cast, user, release, name, reason):
    url = f"/api/v1/releases/{release.identifier}/transitions/{name}/"
    return cast.client(user).post(url, {"reason": reason} if reason else {}, format="json")


def stage_of(cast, release):
    return cast.ok(cast.client(cast.rm).get(f"/api/v1/releases/{release.identifier}/"))["stage"]


def gist(body):
    return {k: body[k] for k in ("detail", "missing", "reason", "stage") if k in body} or body


CLOSURE = {"configuration_manager_informed": True, "deployment_plan_updated": True}


def _installed(cast, release):
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "ECS 3.2.0 is available"}))
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSURE))


def _rolled_back(cast, release):
    install(cast, release, successful=False)
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))


def _cancelled(cast, release):
    cast.ok(fire(cast, cast.rm, release, "cancel", "Superseded"))


#: stage -> (walked to, planning fields, steps after the walk)
REACH = {
    "planning": ("planning", {}, None),
    "receiving": ("receiving", {}, None),
    "kickoff": ("kickoff", {}, None),
    "acceptance": ("acceptance", {}, None),
    "authorisation": ("authorisation", {}, None),
    "installation": ("installation", {}, None),
    "conformance": ("installation", {"conformance_testing": True}, _installed),
    "closed": ("installation", {}, _installed),
    "rolled_back": ("installation", {}, _rolled_back),
    "cancelled": ("planning", {}, _cancelled),
}


@pytest.fixture
def holders(cast, make_user, organisation):
    """A holder of every column of Table 4-1: the release's own release manager,
    coordinator, thread (A3/Cust) and developer organisation, a member of every other
    ITSM team; and, not on the release, the other threads, a developer of another
    organisation, a release manager and a coordinator of other releases."""
    own = {
        RM: cast.rm,
        DC: cast.dc,
        "DG TAXUD A3/Cust": cast.cust,
        "3rd Party Developers": make_user("acme", groups=[organisation.group]),
    }
    result = []
    for column in COLUMNS:
        if column in own:
            result.append(Holder(column, column, own[column]))
        else:
            on_release = column.startswith("ITSM ")
            result.append(Holder(column, column, make_user(None, column), on_release))
    globex = Organisation.objects.create(
        name="Globex",
        party=party("3rd Party Developers"),
        group=Group.objects.create(name="3rd party: Globex"),
    )
    elsewhere = {
        "Globex developer": ("3rd Party Developers", make_user(None, groups=[globex.group])),
        "another release manager": (RM, make_user(None, RM)),
        "another coordinator": (DC, make_user(None, DC)),
    }
    return result + [Holder(label, c, user, False) for label, (c, user) in elsewhere.items()]


@pytest.mark.parametrize("stage", list(REACH))
def test_every_transition_by_every_party(stage, cast, release_at, holders):
    walked_to, fields, then = REACH[stage]
    release = release_at(walked_to, **fields)
    if then:
        then(cast, release)
    assert stage_of(cast, release) == stage

    cells = []  # (holder, transition, reason)
    for holder in holders:
        for name in GATES:
            if holder.may_fire(name) or stage in SOURCES[name]:
                cells.append((holder, name, "Table-driven check"))
                if holder.may_fire(name) and name in NEEDS_REASON:
                    cells.append((holder, name, ""))
    to_fire = [(h, n, r) for h, n, r in cells if expected(stage, n, h, bool(r))[0] == 200]
    failures = []
    for holder, name, reason in cells:
        status, missing = expected(stage, name, holder, reason=bool(reason))
        if status == 200:
            continue
        response = fire(cast, holder.user, release, name, reason)
        body = response.json()
        cell = f"{stage} / {name} / {holder.label}{'' if reason else ' (no reason)'}"
        if response.status_code != status:
            failures.append(f"{cell}: {response.status_code} instead of {status}: {gist(body)}")
        elif status == 409 and missing is None and "not possible" not in body["detail"]:
            failures.append(f"{cell}: 409 for another cause than the stage: {gist(body)}")
        elif status == 400 and "reason" not in body:
            failures.append(f"{cell}: 400 for another cause than the reason: {body}")
        elif missing is not None and not (
            len(body.get("missing", [])) == len(missing)
            and all(m.startswith(w) for m, w in zip(body["missing"], missing, strict=True))
        ):
            failures.append(f"{cell}: missing {body.get('missing')} instead of {missing}")
        if (now := stage_of(cast, release)) != stage:
            failures.append(f"{cell}: refused, yet the release went to {now}")
            break

    if to_fire and not failures:
        holder, name, reason = to_fire[0]
        response = fire(cast, holder.user, release, name, reason)
        if response.status_code != 200 or response.json()["stage"] != TARGET[name]:
            failures.append(f"{stage} / {name} / {holder.label}: {gist(response.json())}")
        elif stage_of(cast, release) != TARGET[name]:
            failures.append(f"{stage} / {name}: 200, but the release is not {TARGET[name]}")
    assert not failures, "\n".join(failures)


def test_the_release_manager_or_the_coordinator_may_fire_every_transition():
    """So that every transition gets past Table 4-1 in some cell of the table above."""
    assert [n for n in GATES if not (may_fire(RM, n) or may_fire(DC, n))] == []


TRANSITION_FORM = re.compile(r'action="/releases/[^/"]+/transitions/([a-z_]+)/"')


@pytest.mark.parametrize("stage", list(REACH))
def test_the_release_page_offers_what_the_api_says_may_be_fired(stage, cast, release_at, holders):
    """The release page reads the gates of its buttons from the records it shows (issue
    17); the API asks django-fsm. Every holder who sees the release is offered the same
    hand-fired transitions by both, in every stage."""
    walked_to, fields, then = REACH[stage]
    release = release_at(walked_to, **fields)
    if then:
        then(cast, release)
    offered = {}
    for holder in [h for h in holders if h.visible]:
        browser = Client()
        browser.force_login(holder.user)
        page = browser.get(f"/releases/{release.identifier}/")
        assert page.status_code == 200, holder.label
        api = cast.ok(cast.client(holder.user).get(f"/api/v1/releases/{release.identifier}/"))
        buttons = TRANSITION_FORM.findall(page.content.decode())
        assert buttons == api["available_transitions"], holder.label
        offered[holder.label] = buttons
    # the stages with hand-fired transitions offer them to someone
    if stage in {"planning", "acceptance", "rolled_back"}:
        assert any(offered.values()), offered
