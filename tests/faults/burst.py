"""What the bursts of test_parallel_writes need, called in a Django shell on the served
app's own database (tests.served.call): the people, a release ready for RM.1.4, and the
count of what was written. Each prints one line of JSON."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from knox.models import AuthToken

from changes import services as changes
from changes.models import RfC
from deployments.services import initialise_deployment_plan
from raci.models import Organisation, Party
from raci.permissions import Parties
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from releases import services
from releases.models import Application, Release
from tests.lifecycle import PLAN


def _person(username, party_name):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw")
    user.groups.add(Party.objects.get(name=party_name).group)
    return AuthToken.objects.create(user)[1], user


def seed():
    """A change manager, and a release of thread A3/Cust with its roles assigned and its
    deployment plan initialised (RM.1.3): RM.1.4 is next."""
    change_manager, _ = _person("carl", Parties.CHANGE_MANAGER)
    release_manager, rita = _person("rita", Parties.RELEASE_MANAGER)
    _, dave = _person("dave", Parties.DEPLOYMENT_COORDINATOR)
    organisation = Organisation.objects.create(
        name="Acme Software",
        party=Party.objects.get(name=Parties.DEVELOPERS),
        group=Group.objects.create(name="3rd party: Acme Software"),
    )
    thread = Party.objects.get(slug="a3-cust")
    release = services.formalise_release(
        by=rita,
        application=Application.objects.create(code="ecs", name="Export Control System"),
        version="3.2.0",
        name="Functional update",
        release_type="minor",
        planned_delivery_date=datetime.date(2027, 3, 1),
        planned_installation_date=datetime.date(2027, 3, 15),
        business_threads=[thread],
    )
    services.assign_roles(
        release,
        by=rita,
        deployment_coordinator=dave,
        business_threads=[thread],
        developers=organisation,
    )
    initialise_deployment_plan(Release.objects.get(pk=release.pk), by=rita, **PLAN)
    meeting, rfc = _heard_by_the_ecab(release.application, dave)
    print(
        json.dumps(
            {
                "change_manager": change_manager,
                "release_manager": release_manager,
                "release": release.identifier,
                "meeting": meeting.pk,
                "rfc": rfc.reference,
            }
        )
    )


def _heard_by_the_ecab(application, member):
    """An emergency RfC before the emergency CAB, its quorum of advice given: the
    change manager's decision is next."""
    carl = get_user_model().objects.get(username="carl")
    start = timezone.now() + datetime.timedelta(hours=2)
    rfc = changes.raise_rfc(
        by=carl,
        title="Hotfix",
        change_type="emergency",
        description="Fix the export rules.",
        reason="Declarations are refused.",
        applications=[application],
        planned_start=start,
        planned_end=start + datetime.timedelta(hours=1),
        backout_impossible_reason="A data fix; restore the backup if needed.",
    )
    changes.fire(rfc, "submit", by=carl)
    changes.fire(rfc, "send_to_cab", by=carl)
    meeting = changes.plan_meeting(
        by=carl, kind="ecab", title="ECAB", starts_at=timezone.now(), members=[member]
    )
    changes.build_agenda(meeting, by=carl)
    changes.give_advice(meeting, by=member, rfc=rfc, verdict="approve")
    return meeting, rfc


def decided(reference):
    """The decisions recorded on the RfC and its status."""
    rfc = RfC.objects.get(reference=reference)
    print(json.dumps({"decisions": rfc.cab_decisions.count(), "status": rfc.status}))


def written(identifier, prefix):
    """What the bursts wrote: the release's stage, its Release Plan communications and
    stage changes to receiving, and the RfCs whose title starts with ``prefix`` (their
    count and references)."""
    release = Release.objects.get(identifier=identifier)
    rfcs = RfC.objects.filter(title__startswith=prefix)
    print(
        json.dumps(
            {
                "stage": release.stage,
                "release_plans": Communication.objects.filter(
                    release=release, interface="Release Plan"
                ).count(),
                "stage_receive": AuditEntry.objects.filter(
                    release=release, action="stage_receive"
                ).count(),
                "rfcs": rfcs.count(),
                "references": list(rfcs.values_list("reference", flat=True)),
            }
        )
    )
