"""The release page's own part is kept until a row it shows changes (issue 17,
``releases.selectors.release_version``): asked again it is not made, a write to
another release leaves it kept, and after any write that changes what it shows, by the
process's steps, a planner, an administrator or a process owner, the kept page is the page
made afresh."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from raci import deputies
from raci import services as raci_services
from raci.models import Activity, Party, ReleaseUserObjectPermission
from releasemgmt.notifications.models import Recipient
from releases import planning, selectors
from tests.lifecycle import STAGE_WORK

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the version is read from PostgreSQL's rows"
)

#: what every page of the site carries that differs on each answer: the masked CSRF token
TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]*"')
#: Table 4-1, kept per process under its token (which the version reads), and the names
#: of the permissions, which the migrations make
TABLE_4_1 = {"raci_party", "raci_activity", "raci_racicell", "auth_permission"}


#: where each kept part is asked for: the release page, the API's release, the record
PATHS = {
    "page": "/releases/{}/",
    "api": "/api/v1/releases/{}/",
    "record": "/releases/{}/record/",
}


def page(client, release, *, keep: bool, settings, api=False, of="page") -> tuple[str, list[str]]:
    """The release page (or the API's release, or the page's record asked by htmx), its
    part kept or made, without its CSRF tokens; and its queries."""
    settings.KEPT_PARTS = frozenset({"release", "release-api", "record"}) if keep else frozenset()
    of = "api" if api else of
    headers = {"HX-Request": "true"} if of == "record" else {}
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(PATHS[of].format(release.identifier), headers=headers)
    assert response.status_code == 200
    return TOKEN.sub(r"\1", response.content.decode()), [q["sql"] for q in ctx.captured_queries]


def tables(queries) -> set[str]:
    return {t for sql in queries for t in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', sql)}


@pytest.mark.parametrize("of", ["page", "api", "record"])
def test_the_part_asked_again_is_kept_and_its_version_reads_every_table_it_shows(
    client, release_at, cast, settings, of
):
    release = release_at("authorisation")  # with decisions, mail and documents
    client.force_login(cast.rm)
    for _ in range(2):  # the browser's CSRF cookie, then the part kept
        page(client, release, keep=True, settings=settings, of=of)
    made_html, made = page(client, release, keep=False, settings=settings, of=of)
    kept_html, kept = page(client, release, keep=True, settings=settings, of=of)
    assert kept_html == made_html
    # the session's query differs by its moment; the part's are those a kept page skips
    part = [sql for sql in made if sql not in kept and "django_session" not in sql]
    assert len(kept) < len(made), kept
    version_tables = tables([selectors._version_sql(of_record=of == "record")[0]])
    assert tables(part) - TABLE_4_1 <= version_tables


def test_a_write_to_another_release_leaves_the_part_kept(client, make_release, cast, settings):
    mine, other = make_release(), make_release()
    client.force_login(cast.rm)
    for _ in range(2):  # the browser's CSRF cookie, then the part kept
        page(client, mine, keep=True, settings=settings)
    _, before = page(client, mine, keep=True, settings=settings)
    start = _day_after_delivery(other, days=20)
    planning.plan_milestone(
        other, "installation", by=cast.rm, starts_at=start, ends_at=start + HOURS
    )
    _, after = page(client, mine, keep=True, settings=settings)
    assert len(after) == len(before) < 10


@pytest.mark.django_db(transaction=True)
def test_every_write_that_changes_the_part_shows_at_once(
    client, release_at, cast, make_user, settings
):
    """Each step commits on its own, as a request does; each must change the page (or it
    would prove nothing), and the page with its part kept must then be the page made."""
    release = release_at("planning")
    viewer = {"user": cast.rm}
    shown = {}

    def kept_is_made(step: str) -> None:
        # logged in once (a login writes the user's row, which the version reads)
        if client.session.get("_auth_user_id") != str(viewer["user"].pk):
            client.force_login(viewer["user"])
        kept_html, _ = page(client, release, keep=True, settings=settings)
        made_html, _ = page(client, release, keep=False, settings=settings)
        assert kept_html == made_html, step
        assert kept_html != shown.get(viewer["user"].pk), f"{step} changed nothing shown"
        shown[viewer["user"].pk] = kept_html
        again, _ = page(client, release, keep=True, settings=settings)
        assert again == kept_html, step
        kept_json, _ = page(client, release, keep=True, settings=settings, api=True)
        made_json, _ = page(client, release, keep=False, settings=settings, api=True)
        assert kept_json == made_json, step
        kept_record, _ = page(client, release, keep=True, settings=settings, of="record")
        made_record, _ = page(client, release, keep=False, settings=settings, of="record")
        assert kept_record == made_record, step

    kept_is_made("the release formalised")
    for stage in ("planning", "receiving", "kickoff"):
        STAGE_WORK[stage](cast, release)
        kept_is_made(f"the work of {stage}")

    start = _day_after_delivery(release, days=25)
    planning.plan_milestone(
        release,
        "installation",
        by=cast.rm,
        starts_at=start,
        ends_at=start + HOURS,
        reason="The data centre moved the window",
    )
    kept_is_made("a milestone re-planned")

    coordinator = cast.dc
    coordinator.first_name, coordinator.last_name = "Renamed", "Coordinator"
    coordinator.save()
    kept_is_made("a holder renamed")

    release.application.name = "Export Control System 2"
    release.application.save()
    kept_is_made("the application renamed")

    ReleaseUserObjectPermission.objects.filter(
        user=cast.rm, content_object=release, permission__codename="perform_rm_1_2"
    ).delete()
    kept_is_made("a permission taken away in the admin")

    owner = make_user("owner")
    owner.user_permissions.add(*_process_owner_permissions())
    raci_services.set_raci_cell(
        by=owner,
        activity=Activity.objects.get(code="RM.4.1"),
        party=Party.objects.get(name="DG TAXUD A3/Cust"),
        letters="R",
    )
    kept_is_made("a cell of Table 4-1 changed")

    for stage in ("acceptance", "authorisation"):
        STAGE_WORK[stage](cast, release)
        kept_is_made(f"the work of {stage}")
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "1h"}))
    kept_is_made("the users' notification asked of the service desk")

    # one who reads every release, then joins the service desk, who sends the notification
    reader = make_user("reader")
    reader.user_permissions.add(Permission.objects.get(codename="view_release"))
    viewer["user"] = reader
    kept_is_made("a reader's page")
    Group.objects.get(party__name="ITSM Service Desk").user_set.add(reader)
    kept_is_made("the reader joined the service desk")

    viewer["user"] = cast.cust
    kept_is_made("the thread's page")
    delegation = deputies.name_deputy(
        by=cast.dc,
        deputy=cast.cust,
        starts=timezone.localdate(),
        ends=timezone.localdate() + datetime.timedelta(days=3),
    )
    kept_is_made("the thread's user named deputy of the coordinator")
    deputies.revoke_delegation(delegation, by=cast.dc)
    kept_is_made("the delegation revoked")


@pytest.mark.django_db(transaction=True)
def test_a_delivery_failing_shows_at_once_on_the_kept_record(client, release_at, cast, settings):
    """A mail that could not be delivered changes nothing but its recipient's row (the
    outbox's worker writes it): the record kept before shows it at once."""
    release = release_at("receiving")  # its plan sent to the parties
    client.force_login(cast.rm)
    for _ in range(2):  # the first answer, then the record kept
        before, _ = page(client, release, keep=True, settings=settings, of="record")
    recipient = (
        Recipient.objects.filter(communication__release=release)
        .order_by("-communication__created_at")
        .first()
    )
    recipient.status, recipient.last_error = Recipient.Status.FAILED, "Mailbox full"
    recipient.save(update_fields=["status", "last_error"])
    kept, _ = page(client, release, keep=True, settings=settings, of="record")
    made, _ = page(client, release, keep=False, settings=settings, of="record")
    assert kept == made
    assert "Mailbox full" in kept
    assert "Mailbox full" not in before


HOURS = datetime.timedelta(hours=3)


def _day_after_delivery(release, days: int) -> datetime.datetime:
    day = release.planned_delivery_date + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(20)))


def _process_owner_permissions():
    return Permission.objects.filter(codename__in=["change_racicell", "change_delegation"])
