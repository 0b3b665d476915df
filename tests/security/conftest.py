"""Data the security tests share. It is built once per module, through the services and
the API as the lifecycle tests build theirs, and rolled back when the module is done;
each test still runs in its own savepoint, so whatever a test changes is undone before
the next one."""

import datetime
import itertools
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from changes.models import RfC
from raci.models import Organisation
from releases import services
from releases.models import Application
from tests.conftest import party
from tests.lifecycle import Cast

_seq = itertools.count(1)


def new_user(username=None, *parties, groups=(), **extra):
    username = username or f"sec{next(_seq)}"
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw", **extra)
    user.groups.add(*[party(p).group for p in parties], *groups)
    return user


def new_organisation(name):
    group = Group.objects.create(name=f"3rd party: {name}")
    return Organisation.objects.create(name=name, party=party("3rd Party Developers"), group=group)


def api_for(user=None):
    """An API client authenticated as ``user`` (CSRF not enforced: not what is tested)."""
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@dataclass
class People:
    """Who works on the releases of a module: the ITSM cast of the lifecycle helpers and,
    for each of two business threads, a thread user and a developer organisation."""

    cast: Cast
    acme: Organisation
    globex: Organisation
    exc: object
    acme_dev: object
    globex_dev: object

    @classmethod
    def create(cls):
        cast = Cast(
            rm=new_user(None, "ITSM Release Manager"),
            dc=new_user(None, "ITSM Deployment Coordinator"),
            cust=new_user(None, "DG TAXUD A3/Cust", first_name="Carla", last_name="Cust"),
            desk=new_user(None, "ITSM Service Desk"),
            campaign=new_user("camille", "ITSM Campaign Coordinator"),
            api=api_for,
        )
        acme, globex = new_organisation("Acme Software"), new_organisation("Globex")
        return cls(
            cast=cast,
            acme=acme,
            globex=globex,
            exc=new_user(None, "DG TAXUD A3/Exc"),
            acme_dev=new_user(None, groups=[acme.group]),
            globex_dev=new_user(None, groups=[globex.group]),
        )

    def release(self, thread="a3-cust", organisation=None, application=None, rfc=True, **fields):
        """A release formalised (RM.1.1) with its roles assigned (RM.1.2) and, unless told
        otherwise, an approved RfC included (what ``walk_to`` needs)."""
        application = (
            application
            or Application.objects.get_or_create(
                code="ecs", defaults={"name": "Export Control System"}
            )[0]
        )
        # a week apart, so that their installations do not collide (deployments.conflicts)
        today = datetime.date(2027, 3, 1) + datetime.timedelta(weeks=next(_seq) % 500)
        values = {
            "application": application,
            "version": f"2.{next(_seq)}.0",
            "name": "Functional update",
            "release_type": "minor",
            "planned_delivery_date": today,
            "planned_installation_date": today + datetime.timedelta(days=14),
            "business_threads": [party(thread)],
        } | fields
        release = services.formalise_release(by=self.cast.rm, **values)
        services.assign_roles(
            release,
            by=self.cast.rm,
            deployment_coordinator=self.cast.dc,
            business_threads=[party(thread)],
            developers=organisation or self.acme,
        )
        if rfc:
            reference = f"RFC-S{next(_seq)}"
            RfC.objects.create(
                reference=reference,
                title="Change for the release",
                status=RfC.Status.AUTHORISED,
                requester=self.cast.rm,
            )
            self.cast.ok(
                self.cast.act(
                    self.cast.rm, release, "include-rfc", {"rfc": reference}, multipart=False
                ),
                201,
            )
        return release
