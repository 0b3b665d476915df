"""The extra actions answer 403 to a user who may not take them before looking at the
input: a business thread posting nothing learns it may not act, not which fields are
missing."""

import pytest

from releases import registry


@pytest.mark.parametrize("slug", sorted(a.slug for a in registry.all_actions()))
def test_an_action_refuses_a_business_thread_before_checking_its_input(slug, cast, make_release):
    release = make_release(threads=["a3-cust"])
    response = cast.act(cast.cust, release, slug, {})
    assert response.status_code == 403, response.json()


def test_an_assignee_may_complete_their_own_task_without_being_coordinator(
    cast, release_at, make_user
):
    from deployments.models import DeploymentTask

    release = release_at("kickoff")
    infra = make_user("ivan", "ITSM Infrastructure Manager")
    assert cast.act(infra, release, "complete-task", {}).status_code == 403  # no task yet
    task = {
        "title": "Prepare servers",
        "owner_party": "itsm-infrastructure-manager",
        "assignee": "ivan",
        "due_date": "2027-02-01",
    }
    cast.ok(cast.act(cast.dc, release, "add-task", task, multipart=False), 201)
    assert cast.act(infra, release, "complete-task", {}).status_code == 400  # may try
    done = {"task": DeploymentTask.objects.get().pk}
    cast.ok(cast.act(infra, release, "complete-task", done, multipart=False), 201)
    assert DeploymentTask.objects.get().status == "done"


def test_an_rfc_is_named_by_its_reference(cast, make_release, approved_rfc):
    """RM.1.1: the reference is typed (thousands of RfCs make no dropdown)."""
    release = make_release(threads=["a3-cust"])
    unknown = cast.act(cast.rm, release, "include-rfc", {"rfc": "RFC-404"}, multipart=False)
    assert unknown.status_code == 400
    assert unknown.json() == {"rfc": ["There is no RfC RFC-404."]}
    cast.ok(cast.act(cast.rm, release, "include-rfc", {"rfc": "rfc-100"}, multipart=False), 201)
    approved_rfc.refresh_from_db()
    assert approved_rfc.release == release
