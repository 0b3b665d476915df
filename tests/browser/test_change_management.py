"""An RfC from registration to its post-implementation review in Chromium (seed 003):
the change manager raises, submits, assesses and sends it to the CAB, plans the meeting
and builds its agenda; two members give their advice, each logged in as themselves; the
change manager authorises it and sends the minutes; the release manager includes it at
RM.1.1 through the picker; the release's closure (driven through the service) marks it
implemented, and the change manager records the review on its page."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import Page, expect

from changes import risk
from changes import services as changes
from changes.models import CabMeeting, Review, RfC
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: the answer given to each risk question: a low risk
ANSWERS = {
    "done_before": "Yes, often",
    "tested": "Fully",
    "backout": "Yes, with a tested back-out",
    "outage": "None",
    "reach": "One business thread",
}


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def switch_user(page: Page, url: str, current: str, log_in, username: str) -> None:
    """Log ``current`` out with the top bar's button and log ``username`` in."""
    page.get_by_role("button", name=f"{current} · Log out").click()
    page.wait_for_url(f"{url}/login/")
    log_in(username)


def flash(page: Page, text: str) -> None:
    expect(page.locator("p.flash")).to_have_text(text)


def accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violation on the page as it stands (WCAG 2.x A
    and AA, as ``test_accessibility`` checks the other pages)."""
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe(name, violations)


def test_an_rfc_from_registration_to_its_review(page, live_server, log_in, make_user, make_release):
    url = live_server.url
    make_user("chris", "ITSM Change Manager", first_name="Chris", last_name="Change")
    make_user("ivan", "ITSM Infrastructure Manager", first_name="Ivan", last_name="Infra")
    make_user("carl", "ITSM Configuration Manager", first_name="Carl", last_name="Config")
    make_user("sam", "ITSM Service Desk", first_name="Sam", last_name="Desk")
    release = make_release(threads=["a3-cust"])  # rita formalised it
    start = timezone.now() + timedelta(days=10)

    # The change manager raises the request; a window that ends before it starts is
    # refused on its field, with what was typed kept.
    log_in("chris")
    page.get_by_role("link", name="Changes", exact=True).click()
    page.get_by_role("button", name="Raise an RfC").click()
    page.get_by_label("Title").fill("New customs codes")
    page.get_by_label("Description").fill("Add the new customs codes to the export declaration.")
    page.get_by_label("Reason").fill("Regulation 2026/123 applies from January.")
    page.get_by_label("Applications").select_option(label=["ECS - Export Control System"])
    page.get_by_label("Planned start").fill(local(start))
    page.get_by_label("Planned end").fill(local(start - timedelta(hours=1)))
    page.get_by_label("Back-out plan").fill("Restore the previous version from the DSL.")
    page.get_by_label("Back-out trigger").fill("Smoke tests fail after installation.")
    page.get_by_role("button", name="Record the draft").click()
    expect(page.get_by_text("The end comes after the start.")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("New customs codes")
    assert not RfC.objects.exists()
    accessible(page, "the registration form with an error")
    page.get_by_label("Planned end").fill(local(start + timedelta(hours=4)))
    page.get_by_role("button", name="Record the draft").click()
    rfc = RfC.objects.get()
    reference = rfc.reference
    expect(page.get_by_role("heading", level=1)).to_contain_text(reference)
    flash(page, f"{reference} recorded as a draft: submit it when ready.")
    accessible(page, "a draft's page")

    # Submitted, assessed with the risk questions answered, sent to the CAB.
    page.get_by_role("button", name="Submit", exact=True).click()
    flash(page, f"Submit: done. {reference} is Submitted.")
    accessible(page, "a submitted RfC's page, with the assessment's form")
    assessment = page.locator("#step-assess")
    for question in risk.QUESTIONS:
        group = assessment.get_by_role("group", name=question.text)
        group.get_by_label(ANSWERS[question.key], exact=True).check()
    assessment.get_by_role("button", name="Record the assessment").click()
    flash(page, f"Record the assessment: done. {reference} is Assessed.")
    expect(page.locator("#request")).to_contain_text("Low")
    page.get_by_role("button", name="Send to the CAB").click()
    flash(page, f"Send to the CAB: done. {reference} is Awaiting CAB.")

    # The meeting, and its agenda built from what awaits the CAB.
    page.get_by_role("link", name="Changes", exact=True).click()
    page.get_by_role("button", name="Plan a CAB").click()
    page.get_by_label("Kind").select_option("cab")
    page.get_by_label("Title").fill("Weekly CAB")
    page.get_by_label("Starts at").fill(local(timezone.now() + timedelta(hours=2)))
    page.get_by_label("Location").fill("Room 12")
    page.get_by_label("Members").select_option(
        label=["Ivan Infra (ivan)", "Carl Config (carl)", "Sam Desk (sam)"]
    )
    page.get_by_role("button", name="Plan the meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change Advisory Board: Weekly CAB")
    meeting = CabMeeting.objects.get()
    page.get_by_role("button", name="Build the agenda from the RfCs awaiting the CAB").click()
    flash(page, "1 RfC(s) put on the agenda.")
    item = page.locator(f"#item-{reference}")
    expect(item).to_contain_text("0 given, 2 needed")
    # its conflicts, which come once the page is shown, in their place: none here
    expect(item.locator(f"#conflicts-{reference}")).to_have_text("none")
    accessible(page, "a meeting's page for the change manager")

    # Two members advise, each logged in as themselves.
    current = "chris"
    for member, verdict in (("ivan", "Approve"), ("carl", "Abstain")):
        switch_user(page, url, current, log_in, member)
        current = member
        page.get_by_role("link", name="Changes", exact=True).click()
        page.locator("#boards").get_by_role(
            "link", name="Change Advisory Board: Weekly CAB"
        ).click()
        if member == "ivan":
            accessible(page, "a meeting's page for a member")
        advice = page.get_by_role("form", name=f"Your advice on {reference}")
        advice.get_by_label(verdict, exact=True).check()
        advice.get_by_label("Comment").fill(f"{member}: tested in SAT.")
        advice.get_by_role("button", name=f"Give advice on {reference}").click()
        flash(page, f"Your advice on {reference} is recorded: {verdict}.")
        expect(page.get_by_role("form", name=f"Your advice on {reference}")).to_have_count(0)

    # The change manager decides on the advice, with the quorum met, and sends the minutes.
    switch_user(page, url, "carl", log_in, "chris")
    page.goto(f"{url}/changes/cab/{meeting.pk}/")
    item = page.locator(f"#item-{reference}")
    expect(item).to_contain_text("quorum met")
    decision = page.get_by_role("form", name=f"Decision on {reference}")
    decision.get_by_label("Authorised", exact=True).check()
    decision.get_by_label("Conditions").fill("Install after 20:00.")
    decision.get_by_role("button", name=f"Record the decision on {reference}").click()
    flash(page, f"{reference}: authorised.")
    expect(page.locator(f"#item-{reference}")).to_contain_text("Decision: Authorised")
    page.get_by_label("Minutes").fill("RFC authorised on condition of an evening installation.")
    page.get_by_role("button", name="Record and send the minutes").click()
    flash(page, "Minutes recorded and sent to the members and the requesters.")
    expect(page.locator("#minutes")).to_contain_text("Recorded and sent")
    accessible(page, "a meeting's page with its minutes")
    assert RfC.objects.get().status == "authorised"

    # The release manager includes it at RM.1.1, picked among the authorised RfCs.
    switch_user(page, url, "chris", log_in, "rita")
    page.goto(f"{url}/releases/{release.identifier}/activities/RM.1.1/")
    include = page.locator("article").filter(
        has=page.locator("header").get_by_text("Include an RfC", exact=True)
    )
    box = include.get_by_label("RfC", exact=True)
    suggestions = box.get_attribute("list")
    expect(page.locator(f"datalist#{suggestions} option[value='{reference}']")).to_have_count(1)
    box.fill(reference)
    include.get_by_role("button", name="Include an RfC").click()
    flash(page, "Include an RfC: done.")
    listed = page.locator("#rfcs")
    expect(listed.get_by_role("link", name=reference)).to_be_visible()
    expect(listed).to_contain_text("Scheduled in a release")

    # The release's closure (RM.6.7) marks it implemented.
    with transaction.atomic():
        assert changes.mark_implemented(release, by=release.created_by) == 1  # rita

    # The change manager records the post-implementation review on its page.
    switch_user(page, url, "rita", log_in, "chris")
    page.goto(f"{url}/changes/rfcs/{reference}/")
    expect(page.locator("hgroup")).to_contain_text("Implemented")
    # the CAB's record and the history come once the page is shown, each in its place
    expect(page.locator("#decisions")).to_contain_text("Authorised")
    expect(page.locator("#history")).to_contain_text("cab_decision")
    expect(page.locator("#rfc-record")).to_have_count(0)
    page.get_by_role("button", name="Record the post-implementation review").click()
    page.get_by_role("group", name="Did the change meet its objective?").get_by_label(
        "Yes", exact=True
    ).check()
    page.get_by_label("Lessons learned").fill("Evening windows suit the traders.")
    accessible(page, "the review form")
    page.get_by_role("button", name="Record the review").click()
    flash(page, f"{reference}: review recorded.")
    expect(page.locator("hgroup")).to_contain_text("Reviewed")
    expect(page.locator("#review")).to_contain_text("Evening windows suit the traders.")
    assert Review.objects.get().objective_met is True
    accessible(page, "a reviewed RfC's page")
    for path, name in (
        ("/changes/", "the change manager's start page"),
        ("/changes/rfcs/?status=reviewed", "the RfC list"),
        ("/changes/schedule/", "the change schedule"),
        ("/changes/cab/", "the CAB meetings"),
    ):
        page.goto(f"{url}{path}")
        accessible(page, name)
