"""Users read in the tool what was sent to them, and choose whether informational notices
(the I of Table 4-1) also come by e-mail."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deployments import services
from releasemgmt.notifications.models import Recipient
from tests.lifecycle import PLAN_ITEMS


def plan(release, by):
    services.initialise_deployment_plan(
        release,
        by=by,
        option="big_bang",
        summary="x",
        components="core 1.0",
        last_known_good_build="0.9",
        rollback_procedure="x",
        **PLAN_ITEMS,
    )


def test_informed_notices_follow_the_users_choice(
    client, make_release, release_manager, coordinator
):
    client.force_login(coordinator)
    assert client.post("/messages/", {}).status_code == 302  # unticked: no I-notices by mail
    release = make_release()
    plan(release, release_manager)  # RM.1.3: the coordinator is I
    notice = Recipient.objects.get(user=coordinator, communication__activity="RM.1.3")
    assert notice.status == "in_app"
    page = client.get("/messages/").content.decode()
    assert "RM.1.3 Initialise Deployment Plan is done" in page
    assert "In the tool only" in page


def test_process_mails_always_go_by_email(client, make_release, release_manager, coordinator):
    client.force_login(coordinator)
    client.post("/messages/", {})
    release = make_release()
    plan(release, release_manager)
    services.publish_release_schedule(release, by=release_manager)
    services.verify_consistency(
        release,
        by=coordinator,
        plan_completed=False,
        documents_present=True,
        missing="Installation guide",
    )
    # The inconsistency goes to the threads and, in copy, the release and change managers.
    rows = Recipient.objects.filter(communication__activity="RM.2.1")
    assert rows.exists()
    assert set(rows.values_list("status", flat=True)) == {"queued"}


def test_inbox_queries_do_not_grow(client, make_release, release_manager, coordinator):
    client.force_login(coordinator)
    release = make_release()
    plan(release, release_manager)
    client.get("/messages/")
    with CaptureQueriesContext(connection) as few:
        client.get("/messages/")
    for _ in range(3):
        plan(make_release(), release_manager)
    with CaptureQueriesContext(connection) as many:
        client.get("/messages/")
    assert len(many.captured_queries) == len(few.captured_queries)
