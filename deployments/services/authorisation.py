"""RM.5: the installation plan and release notes, approved (RM.5.1) and the installation
authorised (RM.5.2) by every affected thread."""

from django.db import transaction
from django.db.models import Max

from releasemgmt.audit import services as audit
from releases.communications import (
    business_threads,
    communicate,
)
from releases.services import begin_activity, mark_done, require_done

from ..models import (
    Decision,
    InstallationPlan,
)
from .decision_requests import mail_options
from .decisions import require_all_threads
from .links import decision_link


@transaction.atomic
def submit_installation_plan(release, *, by, file, release_notes, planned_start):
    """RM.5.1: the installation plan and release notes go to the affected threads."""
    release = begin_activity(release, "RM.5.1", by=by)
    version = (release.installation_plans.aggregate(v=Max("version"))["v"] or 0) + 1
    plan = InstallationPlan.store(
        file,
        release=release,
        version=version,
        release_notes=release_notes,
        planned_start=planned_start,
        uploaded_by=by,
    )
    communicate(
        release,
        "RM.5.1",
        by=by,
        interface="Installation Plan & Release notes",
        mail="rm_5_1_installation_plan",
        context={"plan": plan},
        to=business_threads(release),
        link=decision_link(release, Decision.Kind.INSTALLATION_PLAN),
        **mail_options(release, Decision.Kind.INSTALLATION_PLAN),
    )
    audit.record(
        actor=by,
        action="installation_plan_submitted",
        obj=plan,
        release=release,
        after={"version": version, "sha256": plan.sha256},
    )
    return plan


@transaction.atomic
def validate_installation_plan(release, *, by):
    """RM.5.1: the latest installation plan is approved by every affected thread."""
    release = begin_activity(release, "RM.5.1", by=by)
    require_all_threads(release, Decision.Kind.INSTALLATION_PLAN, "approval")
    mark_done(release, "RM.5.1", by=by, outcome="approved")
    communicate(
        release,
        "RM.5.2",
        by=by,
        mail="rm_5_2_authorisation_request",
        context={"plan": release.installation_plans.first()},
        to=business_threads(release),
        link=decision_link(release, Decision.Kind.AUTHORISATION),
        **mail_options(release, Decision.Kind.AUTHORISATION),
    )


@transaction.atomic
def assess_installation_authorisation(release, *, by):
    """RM.5.2: the official authorisation of every affected thread is on record.
    No authorisation, no RM.6."""
    release = begin_activity(release, "RM.5.2", by=by)
    require_done(release, "RM.5.1")
    require_all_threads(release, Decision.Kind.AUTHORISATION, "authorisation")
    mark_done(release, "RM.5.2", by=by, outcome="authorised")
