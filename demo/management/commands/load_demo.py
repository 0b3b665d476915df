"""Demo data for the embedded default: a user for every party, applications, releases
and the requests for change of change management with its CABs."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from changes.loader import load_change_models
from changes.models import CabMeeting
from deployments import replies
from deployments.models import Decision, ReleasePackage
from deployments.services import decision_requests, packages, reminders
from dsl import configuration, library
from dsl.models import Archive, CITask
from kpis import facts
from raci import deputies
from raci.loader import ensure_process_loaded
from raci.models import Delegation, Organisation, Party
from readiness import reminders as checklist_reminders
from releasemgmt.notifications import services as notifications
from releasemgmt.notifications.models import Recipient
from releasemgmt.units import unit_of_work
from releases import planning, policy, services
from releases.models import Application, Release, ReleasePolicy, Window
from satisfaction import services as satisfaction
from satisfaction.models import Survey

from ... import (
    aftercare_walks,
    change_walks,
    environments,
    kpi_history,
    quarterly_review,
    walks,
)

PASSWORD = "demo"
#: the newest messages each demo user has not read yet
UNREAD_KEPT = 5
APPLICATIONS = [
    ("ecs", "Export Control System"),
    ("ncts", "New Computerised Transit System"),
    ("ics", "Import Control System"),
    ("emcs", "Excise Movement and Control System"),
    ("vies", "VAT Information Exchange System"),
    ("ccn", "Common Communication Network"),
]
ORGANISATIONS = ["Acme Software", "Globex Systems"]
#: ECS versions before those below, closed, their documentation in the DSL (RM.2.4)
HISTORY = [
    ("2.7.0", "ECS phase 2 closing release", -230),
    ("2.8.0", "ECS phase 2 corrections", -200),
    ("2.9.0", "ECS phase 3 preparation", -170),
    ("3.0.0", "ECS phase 3 first delivery", -140),
]
RELEASES = [
    # app, version, name, type, threads, conformance testing, days to delivery, stage
    (
        "ecs",
        "3.2.0",
        "ECS phase 3 functional update",
        "major",
        ["a3-cust", "a4-cpt"],
        True,
        -20,
        "conformance",
    ),
    (
        "ncts",
        "5.1.0",
        "NCTS phase 5 go-live",
        "major",
        ["a3-cust", "a4-cpt"],
        True,
        5,
        "acceptance",
    ),
    ("ics", "2.0.4", "ICS2 risk rules patch", "minor", ["a3-cust"], False, -30, "closed"),
    (
        "emcs",
        "4.0.0",
        "EMCS 4.0 excise movements",
        "major",
        ["a3-exc", "a4-cpt"],
        True,
        10,
        "authorisation",
    ),
    ("vies", "1.9.2", "VIES availability fix", "emergency", ["a3-tax"], False, -2, "installation"),
    (
        "ccn",
        "7.3.1",
        "CCN gateway security update",
        "minor",
        ["a4-isd", "a3-liso"],
        False,
        15,
        "kickoff",
    ),
    ("emcs", "3.9.5", "EMCS reference data refresh", "minor", ["a3-exc"], False, 8, "receiving"),
    ("ecs", "3.1.7", "ECS interim corrections", "minor", ["a3-cust"], False, 30, "planning"),
    ("ncts", "5.0.9", "NCTS performance fix", "minor", ["a3-cust"], False, -10, "rolled_back"),
    # live, and its rollback triggered from hypercare: the thread's validation is owed;
    # installed a week ago, so that its closure (two working days after) is late on any
    # weekday
    ("ncts", "5.0.10", "NCTS guarantee checks", "minor", ["a3-cust"], False, -28, "rolling_back"),
    ("ics", "2.0.3", "ICS2 interim patch", "minor", ["a3-cust"], False, 20, "cancelled"),
    ("vies", "1.9.0", "VIES new member state codes", "minor", ["a3-tax"], True, -60, "closed"),
    ("ecs", "3.3.0", "ECS phase 3 follow-up", "minor", ["a3-cust"], False, 60, "unassigned"),
]


def demo_username(party: Party) -> str:
    return party.slug.removeprefix("itsm-")


class Command(BaseCommand):
    help = (
        "Create demo users (password 'demo') for every party, applications, releases and "
        "requests for change with their CABs."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_process_loaded()
        load_change_models()
        self.password_hash = make_password(PASSWORD)  # hashed once: it is slow on purpose
        User = get_user_model()
        users = {}
        for party in Party.objects.all():
            if party.kind == Party.Kind.DEVELOPER:
                continue
            users[demo_username(party)] = self._user(
                User, demo_username(party), party.name, [party.group]
            )
        users["deployment-coordinator-2"] = self._user(
            User,
            "deployment-coordinator-2",
            "Second Deployment Coordinator",
            [Party.objects.get(name="ITSM Deployment Coordinator").group],
        )
        # a thread is a team: A3/Cust has two, who both answer the surveys of its releases
        users["a3-cust-2"] = self._user(
            User, "a3-cust-2", "Second A3/Cust user", [Party.objects.get(slug="a3-cust").group]
        )
        dev_party = Party.objects.get(kind=Party.Kind.DEVELOPER)
        organisations = []
        for name in ORGANISATIONS:
            group, _ = Group.objects.get_or_create(name=f"3rd party: {name}")
            org, _ = Organisation.objects.get_or_create(
                name=name, defaults={"party": dev_party, "group": group}
            )
            organisations.append(org)
            self._user(User, "dev-" + name.split()[0].lower(), f"{name} developer", [group])
        owner = self._user(User, "process-owner", "Process Owner", [])
        owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
        if not User.objects.filter(username="admin").exists():
            User.objects.create_superuser("admin", "admin@example.org", PASSWORD)

        apps = {}
        for code, name in APPLICATIONS:
            apps[code], _ = Application.objects.get_or_create(code=code, defaults={"name": name})
        environments.describe(apps, by=users["configuration-manager"])

        people = change_walks.People(
            change_manager=users["change-manager"],
            requesters=[users["application-manager"], users["a3-cust"], users["a3-exc"]],
            members=[
                users["infrastructure-manager"],
                users["configuration-manager"],
                users["service-desk"],
                users["application-manager"],
                users["a3-cust"],
            ],
            ecab_members=[users["infrastructure-manager"], users["service-desk"]],
        )
        board = change_walks.Board(people)  # the weekly CAB that authorised the releases' RfCs
        manager = User.objects.get(username="release-manager")
        coordinators = [users["deployment-coordinator"], users["deployment-coordinator-2"]]
        today = timezone.localdate()
        # one unit of work: the releases' KPI facts worked out once each, at its end
        with unit_of_work():
            created = self._library_history(manager, coordinators[1], users, board, apps, today)
            for i, (app, version, name, kind, threads, ct, days, stage) in enumerate(RELEASES):
                if Release.objects.filter(application=apps[app], version=version).exists():
                    continue
                threads = list(Party.objects.filter(slug__in=threads))
                release = services.formalise_release(
                    by=manager,
                    application=apps[app],
                    version=version,
                    name=name,
                    release_type=kind,
                    planned_delivery_date=today + datetime.timedelta(days=days),
                    planned_installation_date=today + datetime.timedelta(days=days + 21),
                    business_threads=threads,
                    conformance_testing=ct,
                    description=f"{name} for the {apps[app].name}.",
                )
                if stage == "unassigned":  # waiting for RM.1.2
                    created += 1
                    continue
                services.assign_roles(
                    release,
                    by=manager,
                    deployment_coordinator=coordinators[i % 2],
                    business_threads=threads,
                    developers=organisations[i % 2],
                )
                walks.walk(
                    release,
                    stage,
                    rm=manager,
                    dc=coordinators[i % 2],
                    campaign=users["campaign-coordinator"],
                    board=board,
                    phased=i == 0,  # ECS 3.2.0 goes to the member states in two waves
                )
                created += 1
            # two years of releases behind them, for the KPI page's trends (issue 15)
            created += kpi_history.load(
                apps=apps,
                rm=manager,
                dc=coordinators[0],
                developers=organisations[0],
                campaign=users["campaign-coordinator"],
                board=board,
            )
        # the last quarter's review of those KPIs, with its decisions (seed 002 section 6)
        quarterly_review.load(users)
        # The requests of change management, once: the next CAB marks them made.
        if not CabMeeting.objects.filter(title=change_walks.NEXT_CAB).exists():
            change_walks.walk_changes(people, board, apps)
            change_walks.close_implemented(people)
            board.send_minutes()
            change_walks.next_cab(people, apps)
        board.send_minutes()
        self._archive_media(users["infrastructure-manager"], apps)
        self._windows(users["release-manager"], apps)
        self._package(users["release-manager"])
        self._policies(users["release-manager"], apps)
        self._configuration(users["configuration-manager"])
        self._satisfaction(apps)
        self._deputy(User, users)
        self._replies()
        aftercare_walks.walk_aftercare(users)
        # the history was dated back after its events: the KPI facts counted again
        facts.recount()
        # What is owed, with its due date: reminders of what is due soon, and the release
        # manager told of what is late (NCTS 5.0.10's rollback and closure), as the beat
        # job does every hour; and the owners of the Move2Run items due soon, each with a
        # link to confirm theirs.
        reminders.remind_due_steps()
        checklist_reminders.remind_checklist_items()
        self._read_mail(User)
        self.stdout.write(
            f"Demo data ready: {User.objects.count()} users (password '{PASSWORD}'), "
            f"{created} new releases."
        )

    def _read_mail(self, User):
        """The demo users have read their mail of more than a week ago and all but their
        five newest messages: the inbox shows read and unread, and its badge a few."""
        week_ago = timezone.now() - datetime.timedelta(days=7)
        for user in User.objects.all():
            mine = Recipient.objects.filter(user=user)
            newest = mine.order_by("-communication_id").values_list(
                "id", "communication__created_at"
            )[:UNREAD_KEPT]
            kept = [pk for pk, created_at in newest if created_at >= week_ago]
            notifications.mark_all_read(mine.exclude(id__in=kept))

    def _deputy(self, User, users):
        """The A3/Cust approver is on leave for two weeks: their deputy, who holds no
        party of their own, finds the thread's owed decisions on their start page and
        receives a copy of the approver's mail (issue 16 point 4). From the day the
        deputy is named: a load begun before midnight may name them after it, when a
        period starting the day before is refused."""
        today = timezone.localdate()
        principal = users["a3-cust"]
        deputy = self._user(User, "a3-cust-deputy", "Deputy of the A3/Cust approver", [])
        if Delegation.objects.filter(principal=principal).exists():
            return
        deputies.name_deputy(
            by=principal,
            deputy=deputy,
            starts=today,
            ends=today + datetime.timedelta(days=14),
            reason="Annual leave",
        )

    def _replies(self):
        """A reply to the pSAT report of the release in acceptance, from the thread's
        shared mailbox (no user of the tool): it waits in the deployment coordinator's
        queue at /replies/ (issue 16). Its Message-ID keeps it one mail however often the
        demo is loaded."""
        release = (
            Release.objects.filter(stage="acceptance", test_reports__kind="psat")
            .order_by("id")
            .first()
        )
        request = release and decision_requests.request_for(release, Decision.Kind.PSAT)
        if request is None:
            return
        raw = (
            "From: A3 team mailbox <a3-team@taxud.example>\r\n"
            f"To: {decision_requests.reply_address(request)}\r\n"
            f"Subject: Re: [{release.identifier}] pSAT report: your GO/NOGO is awaited\r\n"
            "Message-ID: <demo-reply-1@taxud.example>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\n"
            "Fine for us, you can go ahead.\r\n\r\n> Decide from this e-mail\r\n"
        ).encode()
        replies.receive(raw)

    def _satisfaction(self, apps):
        """The survey after closure of ICS 2.0.4 (its closure asked its thread's users and
        requesters): answered by all but the A3/Cust user, whose start page lists it."""
        surveys = Survey.objects.filter(
            release__application=apps["ics"], release__version="2.0.4"
        ).select_related("respondent")
        if surveys.filter(answered_at__isnull=False).exists():
            return
        said = iter([(8, "Clear plan, the go-live came on the day."), (6, "Late release notes.")])
        for survey in surveys.exclude(respondent__username="a3-cust").order_by("id"):
            score, comment = next(said, (7, ""))
            satisfaction.answer(survey, by=survey.respondent, score=score, comment=comment)

    def _library_history(self, manager, dc, users, board, apps, today) -> int:
        """Earlier ECS versions, closed, each with its documentation in the DSL: with
        ECS 3.2.0 after them the two oldest go to the archive (RM.2.4); Infra has put the
        oldest on two media (its files purged), the next awaits its media."""
        if Release.objects.filter(application=apps["ecs"], version=HISTORY[0][0]).exists():
            return 0
        thread = list(Party.objects.filter(slug="a3-cust"))
        for version, name, days in HISTORY:
            release = services.formalise_release(
                by=manager,
                application=apps["ecs"],
                version=version,
                name=name,
                release_type="minor",
                planned_delivery_date=today + datetime.timedelta(days=days),
                planned_installation_date=today + datetime.timedelta(days=days + 21),
                business_threads=thread,
                description=f"{name} for the Export Control System.",
            )
            services.assign_roles(
                release,
                by=manager,
                deployment_coordinator=dc,
                business_threads=thread,
                developers=Organisation.objects.get(name=ORGANISATIONS[0]),
            )
            walks.walk(
                release,
                "closed",
                rm=manager,
                dc=dc,
                campaign=users["campaign-coordinator"],
                board=board,
            )
        return len(HISTORY)

    def _archive_media(self, infra, apps):
        """Infra's record of where the oldest archived ECS version's media are kept."""
        oldest = Archive.objects.filter(release__application=apps["ecs"]).order_by("release_id")
        archive = oldest.first()
        if archive is None or archive.media.exists():
            return
        code, identifier = "ecs", archive.release.identifier
        library.record_medium(apps[code], identifier, by=infra, number=1, location="on_site")
        library.record_medium(
            apps[code], identifier, by=infra, number=2, location="sent", sent_to="DG TAXUD"
        )

    def _windows(self, release_manager, apps):
        """A year-end freeze for everyone and a weekly maintenance window of the first
        application, added after the walks (each walk publishes its release at RM.1.4,
        where a conflict would need acknowledging): the calendar and the conflicts of
        the releases planned into them show them."""
        if Window.objects.exists():
            return
        year = timezone.localdate().year
        zone = timezone.get_current_timezone()
        planning.save_window(
            by=release_manager,
            kind=Window.Kind.BLACKOUT,
            title="Year-end freeze",
            reason="Closing of the accounts: nothing is installed.",
            starts_at=datetime.datetime(year, 12, 20, tzinfo=zone),
            ends_at=datetime.datetime(year + 1, 1, 5, tzinfo=zone),
        )
        saturday = timezone.localdate() - datetime.timedelta(
            days=(timezone.localdate().weekday() - 5) % 7
        )
        planning.save_window(
            by=release_manager,
            kind=Window.Kind.MAINTENANCE,
            title="Saturday evening",
            starts_at=datetime.datetime.combine(saturday, datetime.time(20), zone),
            ends_at=datetime.datetime.combine(saturday, datetime.time(23, 59), zone),
            repeats_weekly=True,
            application=next(iter(apps.values())),
        )

    def _package(self, release_manager):
        """A release package of two open releases of two applications, installed
        together in one evening window three weeks after the later delivery: one entry
        on the calendar, both releases side by side on its page."""
        if ReleasePackage.objects.exists():
            return
        chosen = {}
        for release in Release.objects.filter(
            stage__in=["planning", "receiving", "kickoff", "acceptance"]
        ).order_by("planned_delivery_date", "id"):
            chosen.setdefault(release.application_id, release)
        releases = list(chosen.values())[:2]
        if len(releases) < 2:
            return
        day = max(r.planned_delivery_date for r in releases) + datetime.timedelta(days=21)
        zone = timezone.get_current_timezone()
        package = packages.save_package(
            by=release_manager,
            reference="PKG-SPRING",
            name="Spring customs package",
            description="Tested and installed together: one evening, one rollback plan.",
            owner=release_manager,
        )
        for release in releases:
            packages.add_release(package, release, by=release_manager)
        packages.save_package(
            package,
            by=release_manager,
            installation_starts_at=datetime.datetime.combine(day, datetime.time(20), zone),
            installation_ends_at=datetime.datetime.combine(day, datetime.time(23), zone),
            reason="One installation evening for the package.",
        )

    def _policies(self, release_manager, apps):
        """Release policies on the demo applications (issue 12 point 7), and one release
        re-planned against its policy with the release manager's reason."""
        if ReleasePolicy.objects.exists():
            return
        ecs = apps["ecs"]
        policy.save_policy(
            ecs,
            by=release_manager,
            allowed_types=["major", "minor", "emergency"],
            version_pattern="N.N.N",
            version_on_breach="refuse",
            min_days_between=14,
            windows=list(Window.objects.filter(application=ecs, kind=Window.Kind.MAINTENANCE)),
            lead_days=10,
            default_deployment_option="big_bang",
        )
        policy.save_policy(
            apps["ncts"],
            by=release_manager,
            allowed_types=["major", "minor"],
            version_pattern="N.N.N",
            lead_days=30,
            lead_on_breach="refuse",
            default_deployment_option="phased",
        )
        release = Release.objects.filter(application=ecs, stage="planning").first()
        if release is not None:
            services.revise_planning(
                release,
                by=release_manager,
                planned_delivery_date=timezone.localdate() + datetime.timedelta(days=2),
                planned_installation_date=timezone.localdate() + datetime.timedelta(days=6),
                policy_reason="The customs authorities need the corrections before the "
                "end of the month.",
            )

    def _configuration(self, configuration_manager):
        """The configuration manager has confirmed the CI status changes of ICS 2.0.4's
        closure (RM.6.7), the other closures'
        tasks wait on their start page. Each installed release has its baseline."""
        task = CITask.objects.filter(
            release__application__code="ics",
            release__version="2.0.4",
            status=CITask.Status.OPEN,
        ).first()
        if task is not None:
            configuration.confirm_ci_task(task, by=configuration_manager, statuses={}, note="")

    def _user(self, User, username, full_name, groups):
        first, _, last = full_name.partition(" ")
        user, made = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
        )
        if made:
            user.password = self.password_hash
            user.save()
        user.groups.add(*groups)
        return user
