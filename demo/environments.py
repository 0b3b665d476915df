"""The demo applications' environments (issue 13): pSAT, SAT, conformance and production
of each, described by the configuration manager with the version production ran before
the demo releases; the walks then write their timelines (RM.3.3, RM.6.5, RM.6.4)."""

from dsl import environments
from dsl.models import Environment
from raci.models import Party
from raci.permissions import Parties
from releases import applications

#: each demo application's default business threads
THREADS = {
    "ecs": ["a3-cust", "a4-cpt"],
    "ncts": ["a3-cust"],
    "ics": ["a3-cust"],
    "emcs": ["a3-exc"],
    "vies": ["a3-tax"],
    "ccn": ["a4-isd"],
}
ENVIRONMENTS = [
    ("psat", "pSAT", "psat", Parties.DEVELOPERS),
    ("sat", "SAT", "sat", Parties.APPLICATION_MANAGER),
    ("conformance", "Conformance", "conformance", Parties.CAMPAIGN_COORDINATOR),
    ("production", "Production", "production", Parties.INFRASTRUCTURE_MANAGER),
]


def describe(apps: dict, *, by) -> None:
    """Default threads and the four environments of each application, once."""
    for code, application in apps.items():
        if application.environments.exists():
            continue
        threads = Party.objects.filter(slug__in=THREADS.get(code, []))
        applications.save_application(
            by=by,
            application=application,
            name=application.name,
            description=application.description,
            business_threads=threads,
        )
        for slug, name, kind, owner in ENVIRONMENTS:
            env = environments.save_environment(
                application,
                by=by,
                slug=slug,
                name=name,
                kind=kind,
                owner_party=Party.objects.get(name=owner),
                status=Environment.Status.AVAILABLE,
            )
            if kind in ("production", "sat"):
                environments.record_version(
                    env, by=by, version="1.0.0", note="In place before release management"
                )
    conformance = Environment.objects.filter(slug="conformance", application__code="ecs").first()
    if conformance:
        environments.save_environment(
            conformance.application,
            by=by,
            environment=conformance,
            status=Environment.Status.BOOKED,
            status_note="Booked by the CT campaign of the next major release",
        )
