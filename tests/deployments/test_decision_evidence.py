"""Evidence cannot be made up: a decision is dated between the submission of what it
rests on and now, and it is the signed-in user's unless recorded on a thread's behalf.
State rules hold in the API as on the pages: no task is completed on a closed or
cancelled release."""

import datetime

import pytest
from django.utils import timezone

from deployments.models import Decision, DeploymentTask
from tests.lifecycle import upload


@pytest.fixture
def psat(cast, release_at):
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    return release


@pytest.mark.parametrize(
    "decided_at",
    ["1900-01-01T10:00:00Z", "2000-06-01T10:00:00Z", "2999-01-01T10:00:00Z"],
)
def test_a_decision_is_dated_between_its_basis_and_now(cast, psat, decided_at):
    response = cast.decide(cast.cust, psat, "psat", decided_at=decided_at)
    assert response.status_code == 400
    assert "decided_at" in response.json()
    assert not Decision.objects.exists()


def test_a_decision_dated_after_its_report_is_kept_as_dated(cast, psat):
    when = timezone.now()
    cast.ok(cast.decide(cast.cust, psat, "psat", decided_at=when.isoformat()), 201)
    assert abs(Decision.objects.get().decided_at - when) < datetime.timedelta(seconds=1)


def test_a_thread_user_decides_in_their_own_name(cast, psat):
    response = cast.decide(cast.cust, psat, "psat", decided_by_name="The Director General")
    assert response.status_code == 400
    assert "decided_by_name" in response.json()
    cast.ok(cast.decide(cast.cust, psat, "psat"), 201)
    assert Decision.objects.get().decided_by_name == "Carla Cust"


def test_no_task_is_completed_on_a_cancelled_release(cast, release_at):
    release = release_at("kickoff")
    task = {"title": "Servers", "owner_party": "a3-cust", "due_date": "2027-02-01"}
    cast.ok(cast.act(cast.dc, release, "add-task", task, multipart=False), 201)
    cancel = cast.api(cast.rm).post(
        f"/api/v1/releases/{release.identifier}/transitions/cancel/",
        {"reason": "Merged into the next release"},
        format="json",
    )
    cast.ok(cancel)
    done = {"task": DeploymentTask.objects.get().pk}
    response = cast.act(cast.dc, release, "complete-task", done, multipart=False)
    assert response.status_code == 409
    assert DeploymentTask.objects.get().status == "open"
