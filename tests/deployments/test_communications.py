"""Every outgoing row of Table 4-2 and every I of Table 4-1 produces a communication to
exactly its addressees, resolved from the RACI table and the release's assignments."""

import pytest

from raci.catalogue import communications, normalise_letters, party_names, raci_table
from releasemgmt.notifications.models import Communication
from releases.communications import holders, parties_with
from tests.lifecycle import install, upload, walk_to


@pytest.fixture
def walked(cast, release_at, make_user):
    """A release with conformance testing walked to closed, plus one inconsistent and one
    incomplete delivery and test-environment anomalies on the way."""
    for name in ("amy", "carl", "ivy"):
        party = {
            "amy": "ITSM Application Manager",
            "carl": "ITSM Change Manager",
            "ivy": "ITSM Infrastructure Manager",
        }[name]
        make_user(name, party)
    release = release_at("receiving", conformance_testing=True)
    cast.ok(
        cast.perform(
            cast.dc,
            release,
            "RM.2.1",
            {"plan_completed": False, "documents_present": True, "missing": "Installation guide"},
        )
    )
    cast.ok(cast.perform(cast.dc, release, "RM.2.2", {"delivered": []}))
    walk_to(cast, release, "kickoff", start="receiving")
    cast.ok(
        cast.act(
            cast.dc,
            release,
            "add-task",
            {"title": "x", "owner_party": "a3-cust", "due_date": "2027-01-01"},
            multipart=False,
        ),
        201,
    )
    cast.ok(cast.perform(cast.dc, release, "RM.3.1", {"scheduled_at": "2027-01-20T10:00"}))
    cast.ok(cast.perform(cast.dc, release, "RM.3.2", {"decisions": "ok", "plan_approved": True}))
    cast.ok(
        cast.perform(
            cast.dc,
            release,
            "RM.3.3",
            {"file": upload("env.pdf"), "accepted": False, "anomalies": "Slow DB"},
            multipart=True,
        )
    )
    cast.ok(
        cast.perform(
            cast.dc,
            release,
            "RM.3.3",
            {"file": upload("env2.pdf"), "accepted": True},
            multipart=True,
        )
    )
    # RM.4 with a DQR report in place of the SAT report.
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    cast.ok(cast.decide(cast.cust, release, "psat"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.4.1"))
    for kind in ("sat", "dqr"):  # Table 4-2 names both; the decision rests on the latest
        report = {"kind": kind, "file": upload(f"{kind}.pdf")}
        cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    cast.ok(cast.decide(cast.cust, release, "sat"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.4.2"))
    walk_to(cast, release, "installation", start="authorisation")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    cast.ok(
        cast.perform(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    cast.ok(cast.decide(cast.cust, release, "ct_go_ahead"), 201)
    cast.ok(cast.perform(cast.rm, release, "RM.7.1", {"coordinator": "camille", "scope": "CT"}))
    cast.ok(cast.act(cast.campaign, release, "add-ct-report", {"file": upload("ct.pdf")}), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.7.2"))
    return release


OUTGOING = [
    (row["activity"], row["interface"])
    for row in communications()
    if row["direction"] == "Outgoing"
]


def test_every_outgoing_row_of_table_4_2_reaches_the_business_thread(walked, cast):
    recorded = Communication.objects.filter(release=walked, kind="interface")
    for code, interface in OUTGOING:
        matches = [c for c in recorded if c.activity == code and c.interface == interface]
        assert matches, f"{code} {interface}"
        for comm in matches:
            to = set(comm.recipients.filter(role="to").values_list("user__username", flat=True))
            cc = set(comm.recipients.filter(role="cc").values_list("user__username", flat=True))
            assert "cust" in to | cc, f"{code} {interface}"  # the affected thread
            assert not (to & cc)


def test_every_informed_party_is_told_when_its_activity_is_done(walked):
    _, rows = raci_table()
    for row in rows:
        code = row["activity"]
        informed = [name for name in party_names() if "I" in normalise_letters(row[name])]
        done = walked.activity_records.filter(activity__code=code, status="done").exists()
        notices = Communication.objects.filter(release=walked, activity=code, kind="informed")
        if not informed or not done:
            assert not notices.exists(), code
            continue
        expected = {u.username for u in holders(walked, parties_with(code, "I"))}
        assert notices.count() == 1, code
        got = set(notices.get().recipients.values_list("user__username", flat=True))
        assert got == expected, code
