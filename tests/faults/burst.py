"""What the bursts of test_parallel_writes need, called in a Django shell on the served
app's own database (tests.served.call): the people, a release ready for RM.1.4, and the
count of what was written. Each prints one line of JSON."""

import datetime
import json

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from knox.models import AuthToken

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
    print(
        json.dumps(
            {
                "change_manager": change_manager,
                "release_manager": release_manager,
                "release": release.identifier,
            }
        )
    )


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
