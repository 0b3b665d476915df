"""Walk demo requests for change through their lifecycle with the real services, so that
the demo shows change management as it is used: a request in every state, a standard
change authorised by its model, an emergency change through the emergency CAB and its
post-implementation review, a past CAB with its advice, decisions and minutes, the next
CAB with its agenda, and two authorised changes whose windows overlap on one
application (the change schedule flags them)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from changes import services as changes
from changes.models import CabMeeting, ChangeType, RfC

#: the assessment's answers, by the risk they give
LOW_RISK = {
    "done_before": "often",
    "tested": "fully",
    "backout": "tested",
    "outage": "none",
    "reach": "one",
}
MEDIUM_RISK = {
    "done_before": "once",
    "tested": "partly",
    "backout": "untested",
    "outage": "partial",
    "reach": "one",
}
HIGH_RISK = {
    "done_before": "never",
    "tested": "partly",
    "backout": "no",
    "outage": "full",
    "reach": "all",
}
#: days of notice the demo gives a normal change (its model asks 5)
NOTICE_DAYS = 6
PAST_CAB = "Weekly CAB"
ECAB = "Emergency CAB: VIES outage"
NEXT_CAB = "Weekly CAB: the coming changes"


@dataclass
class People:
    """Who raises, assesses and advises in the demo."""

    change_manager: object
    requesters: list
    members: list  # of the weekly CAB
    ecab_members: list = field(default_factory=list)


def evening(day: datetime.date, hour: int = 20) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def window_from(day: datetime.date) -> datetime.datetime:
    """The start of a normal change's window: the evening of ``day``, or the first one its
    model's notice allows."""
    earliest = timezone.localdate() + datetime.timedelta(days=NOTICE_DAYS)
    return evening(max(day, earliest))


def complete(application, start, *, hours=4, what="", why="", **extra) -> dict:
    """What a request says before it is submitted: the change, its reason, the
    application, its window and how it is backed out."""
    return {
        "description": what or f"Install the corrected version of the {application.name}.",
        "reason": why or "Defects reported by the business threads since the last release.",
        "applications": [application],
        "planned_start": start,
        "planned_end": start + datetime.timedelta(hours=hours),
        "backout_plan": "Redeploy the previous build from the DSL and restore the database.",
        "backout_trigger": "The smoke tests fail after the installation.",
        **extra,
    }


def submitted(people, requester, title, application, start, **fields) -> RfC:
    rfc = changes.raise_rfc(by=requester, title=title, **complete(application, start, **fields))
    return changes.fire(rfc, "submit", by=requester)


def assessed(people, rfc, answers=LOW_RISK) -> RfC:
    rfc = changes.revise_rfc(rfc, by=people.change_manager, risk_answers=answers)
    return changes.fire(rfc, "assess", by=people.change_manager)


class Board:
    """The weekly CAB that met three days ago: planned when it first hears a request,
    its minutes sent once every request of the demo it decides is decided."""

    def __init__(self, people: People):
        self.people = people
        self.meeting = None
        self.heard = []  # (reference, outcome) in the order decided

    def _meeting(self) -> CabMeeting:
        if self.meeting is None:
            self.meeting = changes.plan_meeting(
                by=self.people.change_manager,
                kind=CabMeeting.Kind.CAB,
                title=PAST_CAB,
                starts_at=evening(timezone.localdate() - datetime.timedelta(days=3), 10),
                location="Room B-28 and video conference",
                members=self.people.members,
            )
        return self.meeting

    def decide(self, rfc, *, outcome="authorised", verdicts=None, conditions="") -> RfC:
        """Send the assessed request to the CAB, hear the quorum's advice and record the
        change manager's decision."""
        manager = self.people.change_manager
        if rfc.status == RfC.Status.ASSESSED:
            rfc = changes.fire(rfc, "send_to_cab", by=manager)
        meeting = self._meeting()
        changes.put_on_agenda(meeting, by=manager, rfcs=[rfc])
        verdicts = verdicts or ["approve"] * changes.quorum(meeting)
        for member, verdict in zip(self.people.members, verdicts, strict=False):
            comment = "" if verdict == "approve" else "The risk outweighs the benefit for now."
            changes.give_advice(meeting, by=member, rfc=rfc, verdict=verdict, comment=comment)
        changes.record_cab_decision(
            meeting, by=manager, rfc=rfc, outcome=outcome, conditions=conditions
        )
        self.heard.append((rfc.reference, outcome))
        rfc.refresh_from_db()
        return rfc

    def authorise(self, requester, title, application, start, answers=LOW_RISK, **fields):
        """A normal change raised, submitted, assessed and authorised at this CAB."""
        rfc = submitted(self.people, requester, title, application, start, **fields)
        return self.decide(assessed(self.people, rfc, answers))

    def send_minutes(self) -> None:
        if self.meeting is None or self.meeting.minutes_sent_at:
            return
        lines = [f"{ref}: {outcome}" for ref, outcome in self.heard]
        self.meeting = changes.record_minutes(
            self.meeting,
            by=self.people.change_manager,
            minutes="Present: the members named on the invitation; quorum reached.\n\n"
            "Decisions:\n" + "\n".join(lines) + "\n\nNext meeting in one week.",
        )


def release_rfc(board: Board, release) -> RfC:
    """The request a walked release carries (RM.1.1 includes it): raised by the
    application manager, assessed, authorised at the weekly CAB, its window the
    evening of the release's installation."""
    application = release.application
    return board.authorise(
        board.people.requesters[0],
        f"Changes of {release.name}",
        application,
        window_from(release.planned_installation_date),
        what=f"Install {application.code.upper()} {release.version}: {release.name}.",
        why=f"{release.name}, planned with the business threads.",
    )


def ecab_release_rfc(board: Board, release) -> RfC:
    """The request an emergency release carries: an emergency change heard by an
    emergency CAB of its own (quorum one) and authorised there, which the release's
    installation waits for (issue 12 point 5)."""
    people, manager = board.people, board.people.change_manager
    application = release.application
    rfc = changes.raise_rfc(
        by=people.requesters[0],
        title=f"Changes of {release.name}",
        change_type=ChangeType.EMERGENCY,
        category="application",
        impact="high",
        urgency="high",
        **complete(
            application,
            window_from(release.planned_installation_date),
            what=f"Install {application.code.upper()} {release.version}: {release.name}.",
            why="Member states cannot check VAT numbers reliably until it is installed.",
        ),
    )
    rfc = changes.fire(rfc, "submit", by=people.requesters[0])
    rfc = changes.fire(rfc, "send_to_cab", by=manager)
    meeting = changes.plan_meeting(
        by=manager,
        kind=CabMeeting.Kind.ECAB,
        title=f"Emergency CAB: {release.name}",
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        location="Conference call",
        members=people.ecab_members,
    )
    changes.put_on_agenda(meeting, by=manager, rfcs=[rfc])
    changes.give_advice(
        meeting, by=people.ecab_members[0], rfc=rfc, verdict="approve", comment="Install it now."
    )
    changes.record_cab_decision(meeting, by=manager, rfc=rfc, outcome="authorised")
    changes.record_minutes(
        meeting, by=manager, minutes=f"{rfc.reference} authorised by the emergency CAB."
    )
    return RfC.objects.get(pk=rfc.pk)


def walk_changes(people: People, board: Board, applications: dict) -> None:
    """One request per state that the releases do not give, through the services."""
    manager = people.change_manager
    app_manager, thread, excise = people.requesters[:3]
    soon = timezone.localdate() + datetime.timedelta(days=12)

    # A draft: its requester has not said everything yet.
    changes.raise_rfc(
        by=thread,
        title="New guarantee types in the transit declaration",
        description="Two guarantee types the member states asked for.",
        applications=[applications["ncts"]],
        category="data",
    )
    # Submitted: waiting for the change manager's assessment.
    submitted(
        people,
        app_manager,
        "Raise the ECS message size limit",
        applications["ecs"],
        evening(soon + datetime.timedelta(days=8)),
        impact="low",
        urgency="medium",
    )
    # Withdrawn by its requester before a decision.
    rfc = submitted(
        people,
        excise,
        "Extra excise product codes",
        applications["emcs"],
        evening(soon + datetime.timedelta(days=10)),
        category="data",
    )
    changes.fire(rfc, "withdraw", by=excise, reason="Comes with the EMCS 4.0 release instead.")
    # Assessed: the CAB is not asked yet.
    assessed(
        people,
        submitted(
            people,
            app_manager,
            "Move the VIES batch to the new scheduler",
            applications["vies"],
            evening(soon + datetime.timedelta(days=14), 22),
            category="infrastructure",
        ),
        MEDIUM_RISK,
    )
    # Rejected at the weekly CAB on its members' advice.
    board.decide(
        assessed(
            people,
            submitted(
                people,
                app_manager,
                "Switch the ICS2 gateway to the new certificate authority",
                applications["ics"],
                evening(soon + datetime.timedelta(days=2)),
                category="security",
                impact="high",
                urgency="low",
                outage_start=evening(soon + datetime.timedelta(days=2), 21),
                outage_end=evening(soon + datetime.timedelta(days=2), 23),
                outage_description="Traders cannot lodge entry summary declarations.",
            ),
            HIGH_RISK,
        ),
        outcome="rejected",
        verdicts=["reject", "reject", "abstain"],
    )
    # Authorised, and two of them overlap on ICS: the change schedule flags them.
    board.authorise(
        app_manager,
        "Renew the ICS2 gateway certificates",
        applications["ics"],
        evening(soon),
        hours=3,
        category="security",
    )
    board.authorise(
        app_manager,
        "Rebuild the ICS2 database indexes",
        applications["ics"],
        evening(soon, 22),
        category="infrastructure",
        answers=MEDIUM_RISK,
    )
    # Cancelled by the change manager after its authorisation.
    rfc = board.authorise(
        excise,
        "Archive the EMCS movements of 2019",
        applications["emcs"],
        evening(soon + datetime.timedelta(days=5)),
        category="data",
    )
    changes.fire(rfc, "cancel", by=manager, reason="Superseded by the data retention project.")

    # Standard changes: routine and low-risk, authorised by their model on submission.
    in_two_days = timezone.localdate() + datetime.timedelta(days=2)
    for title, code in (
        ("Rotate the CCN gateway TLS certificates", "ccn"),
        ("Monthly operating system patches of the ECS servers", "ecs"),
    ):
        rfc = changes.raise_rfc(
            by=app_manager,
            title=title,
            change_type=ChangeType.STANDARD,
            category="infrastructure",
            impact="low",
            urgency="low",
            **complete(applications[code], evening(in_two_days), hours=2, what=title + "."),
        )
        changes.fire(rfc, "submit", by=app_manager)

    emergency_change(people, applications["vies"])
    emergency_awaiting_ecab(people, applications["ecs"])


def sent_to_ecab(people: People, title, application, start, category, what, why) -> RfC:
    """An emergency change of an hour from ``start``, raised by the first requester,
    submitted and sent by the change manager to the emergency CAB."""
    rfc = changes.raise_rfc(
        by=people.requesters[0],
        title=title,
        change_type=ChangeType.EMERGENCY,
        category=category,
        impact="high",
        urgency="high",
        **complete(application, start, hours=1, what=what, why=why),
    )
    rfc = changes.fire(rfc, "submit", by=people.requesters[0])
    return changes.fire(rfc, "send_to_cab", by=people.change_manager)


def emergency_awaiting_ecab(people: People, application) -> RfC:
    """An emergency change sent to the ECAB six hours ago and still undecided: its model
    asks for a decision within four hours, so the change manager's page lists it under
    "Decisions overdue". Submitted now, then dated back as the demo's history is."""
    rfc = sent_to_ecab(
        people,
        "Block the ECS entry summary declarations replayed by a faulty trader gateway",
        application,
        timezone.now() + datetime.timedelta(hours=1),
        category="security",
        what="Reject the replayed declarations at the ECS gateway until the trader fixes it.",
        why="A trader's gateway replays thousands of declarations an hour since this morning.",
    )
    RfC.objects.filter(pk=rfc.pk).update(submitted_at=timezone.now() - datetime.timedelta(hours=6))
    return rfc


def emergency_change(people: People, application) -> RfC:
    """A VIES outage fixed the same night: the emergency CAB authorised it unassessed,
    it was made, and its post-implementation review is recorded."""
    manager = people.change_manager
    started = evening(timezone.localdate() - datetime.timedelta(days=1), 23)
    rfc = sent_to_ecab(
        people,
        "Restart the VIES lookup service with a corrected cache setting",
        application,
        started,
        category="application",
        what="Correct the cache expiry that stopped VAT number checks.",
        why="Member states cannot check VAT numbers since 21:40.",
    )
    meeting = changes.plan_meeting(
        by=manager,
        kind=CabMeeting.Kind.ECAB,
        title=ECAB,
        starts_at=started - datetime.timedelta(minutes=30),
        location="Conference call",
        members=people.ecab_members,
    )
    changes.put_on_agenda(meeting, by=manager, rfcs=[rfc])
    changes.give_advice(
        meeting, by=people.ecab_members[0], rfc=rfc, verdict="approve", comment="Do it tonight."
    )
    changes.record_cab_decision(
        meeting,
        by=manager,
        rfc=rfc,
        outcome="authorised",
        conditions="The service desk tells the member states when VIES answers again.",
    )
    changes.record_minutes(
        meeting,
        by=manager,
        minutes=f"{rfc.reference} authorised by the emergency CAB, to be made at once.",
    )
    rfc = changes.fire(RfC.objects.get(pk=rfc.pk), "implement", by=manager)
    changes.record_review(
        rfc,
        by=manager,
        objective_met=True,
        side_effects="VIES answered slowly for ten minutes while its cache filled.",
        lessons="Test cache settings in pSAT with a production-sized load.",
    )
    return rfc


def close_implemented(people: People) -> None:
    """The change manager closes the request of the oldest closed release."""
    rfc = (
        RfC.objects.filter(status=RfC.Status.IMPLEMENTED, release__stage="closed")
        .order_by("release__planned_installation_date", "id")
        .first()
    )
    if rfc is not None:
        changes.fire(rfc, "close", by=people.change_manager)


def next_cab(people: People, applications: dict) -> CabMeeting:
    """Requests awaiting the CAB, and next week's CAB with its agenda built from them;
    then two more sent to the CAB, which its agenda field suggests, one of them in the
    window of a request on the agenda (a conflict shown there)."""
    manager = people.change_manager
    app_manager, thread = people.requesters[:2]
    start = timezone.localdate() + datetime.timedelta(days=NOTICE_DAYS + 14)
    for n, (requester, title, code, answers) in enumerate(
        (
            (app_manager, "Upgrade the NCTS message broker", "ncts", MEDIUM_RISK),
            (thread, "New declaration statuses shown to traders", "ecs", LOW_RISK),
            (app_manager, "Move the CCN queues to the new data centre", "ccn", HIGH_RISK),
        )
    ):
        rfc = submitted(
            people, requester, title, applications[code], evening(start + datetime.timedelta(n))
        )
        changes.fire(assessed(people, rfc, answers), "send_to_cab", by=manager)
    meeting = changes.plan_meeting(
        by=manager,
        kind=CabMeeting.Kind.CAB,
        title=NEXT_CAB,
        starts_at=evening(timezone.localdate() + datetime.timedelta(days=4), 10),
        location="Room B-28 and video conference",
        members=people.members,
    )
    changes.build_agenda(meeting, by=manager)
    for requester, title, code, day in (
        (thread, "Switch the NCTS test traders to the new certificates", "ncts", start),
        (app_manager, "Tune the ECS risk engine's thresholds", "ecs", start + _WEEK),
    ):
        rfc = submitted(people, requester, title, applications[code], evening(day))
        changes.fire(assessed(people, rfc), "send_to_cab", by=manager)
    return meeting


_WEEK = datetime.timedelta(days=7)
