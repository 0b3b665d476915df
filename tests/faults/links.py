"""What the double post of test_personal_link_race needs, called in a Django shell on
the served app's own database (tests.served.call): a thread user with a survey owed and
its personal link; afterwards, what was recorded. Each prints one line of JSON."""

import datetime
import json

from django.contrib.auth import get_user_model

from raci.models import Party
from raci.permissions import Parties
from releasemgmt.accounts import personal_links
from releasemgmt.accounts.models import PersonalLink
from releasemgmt.audit.models import AuditEntry
from releases import services
from releases.models import Application
from satisfaction.models import Survey


def seed():
    """A release of thread A3/Cust and its survey owed by ``cust``, with the path of the
    link mailed to them."""
    User = get_user_model()
    rita = User.objects.create_user("rita", "rita@example.org", "pw")
    rita.groups.add(Party.objects.get(name=Parties.RELEASE_MANAGER).group)
    cust = User.objects.create_user("cust", "cust@example.org", "pw")
    thread = Party.objects.get(slug="a3-cust")
    cust.groups.add(thread.group)
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
    survey = Survey.objects.create(release=release, respondent=cust, thread=thread)
    _, token = personal_links.issue(cust, "satisfaction", survey)
    print(json.dumps({"path": personal_links.path_of(token)}))


def recorded():
    survey = Survey.objects.get()
    print(
        json.dumps(
            {
                "score": survey.score,
                "answers": AuditEntry.objects.filter(action="satisfaction_answered").count(),
                "used": PersonalLink.objects.filter(used_at__isnull=False).count(),
            }
        )
    )
