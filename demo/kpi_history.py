"""Two years of past releases for the KPI page (issue 15): two or three a quarter over
the eight quarters before this one, walked through the real services, some installed on
time, some late, some rolled back then re-authorised and installed, one pair of one
application installed the same day. The walks happen now; their records are then dated
back onto the quarter they stand for, stage by stage (``backdate``), so that the trend,
the DORA keys, the stage times and the cumulative flow have a history to show."""

import bisect
import datetime

from django.db.models import F
from django.utils import timezone

from changes.models import RfC
from deployments import services as d
from deployments.models import Decision, InstallationPlan, InstallationReport, TestReport
from raci.models import Party
from releases import services as releases
from releases.communications import business_threads
from releases.models import ActivityRecord, Release, StageChange

from . import readiness_walks, walks

#: how long a demo release stays in each stage, in days (a release's index adds a little)
STAY = {
    "planning": 14,
    "receiving": 9,
    "kickoff": 6,
    "acceptance": 12,
    "authorisation": 4,
    "installation": 0.5,
    "rolled_back": 3,
    "conformance": 8,
}
#: the stages whose stay varies from release to release
EARLY = {"planning", "receiving", "kickoff", "acceptance"}
#: per quarter back (8 the oldest): (application, type, what happens, threads)
PLAN = [
    ("ecs", "major", "on_time", ["a3-cust"]),
    ("ncts", "minor", "late", ["a3-cust", "a4-cpt"]),
    ("ics", "minor", "on_time", ["a3-cust"]),
    ("emcs", "major", "rolled_back", ["a3-exc"]),
    ("vies", "minor", "on_time", ["a3-tax"]),
    ("ccn", "minor", "late", ["a4-isd"]),
]


def _quarter_start(day: datetime.date, back: int) -> datetime.date:
    index = day.year * 4 + (day.month - 1) // 3 - back
    return datetime.date(index // 4, 3 * (index % 4) + 1, 1)


def load(*, apps, rm, dc, developers, campaign, board) -> int:
    """The releases of the last eight quarters; none when they are there already."""
    today = timezone.localdate()
    created = 0
    for back in range(8, 0, -1):
        start = _quarter_start(today, back)
        picks = [PLAN[(back + i) % len(PLAN)] for i in range(2 if back % 2 else 3)]
        if back == 4:  # two releases of one application installed the same day
            picks.append(picks[0])
        for i, (app, kind, fate, threads) in enumerate(picks):
            version = f"{start.year}.{(start.month - 1) // 3 + 1}.{i}"
            if Release.objects.filter(application=apps[app], version=version).exists():
                continue
            day = start + datetime.timedelta(days=20 + 25 * (i % 3))
            release = _walk(
                apps[app],
                version,
                kind,
                fate,
                threads,
                day,
                rm=rm,
                dc=dc,
                developers=developers,
                campaign=campaign,
                board=board,
            )
            late = datetime.timedelta(days=6 + back % 3) if fate == "late" else None
            backdate(release, day, late=late, jitter=(back + i) % 4)
            created += 1
    return created


def _walk(application, version, kind, fate, threads, day, *, rm, dc, developers, campaign, board):
    threads = list(Party.objects.filter(slug__in=threads))
    release = releases.formalise_release(
        by=rm,
        application=application,
        version=version,
        name=f"{application.name} {version}",
        release_type=kind,
        planned_delivery_date=day - datetime.timedelta(days=30),
        planned_installation_date=day,
        business_threads=threads,
        description="A release of the last two years.",
    )
    releases.assign_roles(
        release, by=rm, deployment_coordinator=dc, business_threads=threads, developers=developers
    )
    people = {"rm": rm, "dc": dc, "campaign": campaign, "board": board}
    if fate != "rolled_back":
        walks.walk(release, "closed", **people)
        return release
    walks.walk(release, "rolled_back", **people)
    releases.fire_transition(release, "reauthorise", by=dc)
    _reinstall(release, dc=dc, rm=rm)
    return release


def _reinstall(release, *, dc, rm) -> None:
    """After a rollback: a new installation plan, approved and authorised (RM.5), then
    installed and closed (RM.6)."""
    release.refresh_from_db()

    def all_decide(kind):
        for thread in business_threads(release):
            user = thread.group.user_set.first()
            d.record_decision(release, by=user, kind=kind, business_thread=thread, verdict="go")

    d.submit_installation_plan(
        release,
        by=dc,
        file=walks.demo_file("installation-plan-v2.pdf"),
        release_notes="The migration corrected.",
        planned_start=timezone.now() + datetime.timedelta(days=3),
    )
    all_decide(Decision.Kind.INSTALLATION_PLAN)
    d.validate_installation_plan(release, by=dc)
    all_decide(Decision.Kind.AUTHORISATION)
    d.assess_installation_authorisation(release, by=dc)
    d.prepare_user_notification(
        release, by=dc, message="A second installation, Saturday 20:00-22:00.", disruption="2 h"
    )
    readiness_walks.hold_board(release, dc=dc, rm=rm)  # a GO again for the new round
    d.initiate_installation(release, by=dc, start_at=timezone.now())
    d.assess_installation_report(
        release,
        by=dc,
        file=walks.demo_file("installation-report-2.pdf"),
        successful=True,
        assessment="OK this time.",
    )
    d.publish_successful_installation(release, by=dc)
    d.prepare_post_installation_notification(release, by=dc, message="Available again.")
    d.prepare_closure(release, by=rm, deployment_plan_updated=True)


def backdate(release, day: datetime.date, *, late=None, jitter: int = 0) -> None:
    """Date the release's records back as if it had lived its stages before ``day`` (its
    planned installation): each stage lasts ``STAY`` days, the (last) installation
    starts the day before ``day``, or ``late`` after it. A moment between two recorded
    moves moves in proportion; the order of everything stays as it happened."""
    changes = list(StageChange.objects.filter(release=release).order_by("at", "id"))
    real = [release.created_at] + [c.at for c in changes]

    def stay(stage):
        return datetime.timedelta(days=STAY.get(stage, 5) + (jitter % 3 if stage in EARLY else 0))

    stays = [stay(c.from_stage) for c in changes]
    into = max(i for i, c in enumerate(changes) if c.to_stage == "installation") + 1
    anchor = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))
    anchor += late if late else -datetime.timedelta(days=1)
    past = [anchor - sum(stays[:into], datetime.timedelta())]
    for stay in stays:
        past.append(past[-1] + stay)

    def moved(moment):
        if moment is None:
            return None
        i = bisect.bisect_right(real, moment) - 1
        if i < 0:
            return past[0] - (real[0] - moment)
        if i >= len(real) - 1:
            return past[-1] + (moment - real[-1])
        span = (real[i + 1] - real[i]).total_seconds()
        share = (moment - real[i]).total_seconds() / span if span else 0
        return past[i] + (past[i + 1] - past[i]) * share

    for change in changes:
        StageChange.objects.filter(pk=change.pk).update(
            at=moved(change.at), entered_from_at=moved(change.entered_from_at)
        )
    for model, field in (
        (ActivityRecord, "performed_at"),
        (Decision, "decided_at"),
        (TestReport, "uploaded_at"),
        (InstallationPlan, "uploaded_at"),
        (InstallationReport, "uploaded_at"),
        (RfC, "authorised_at"),
    ):
        for pk, moment in model.objects.filter(release=release).values_list("pk", field):
            if moment is not None:
                model.objects.filter(pk=pk).update(**{field: moved(moment)})
    Release.objects.filter(pk=release.pk).update(created_at=past[0], updated_at=F("updated_at"))
