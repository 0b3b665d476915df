"""RM.7: the conformance test campaign and its reports."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from raci.permissions import Parties
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.communications import (
    business_threads,
    communicate,
    parties,
)
from releases.models import Stage
from releases.services import begin_activity, lock, mark_done, require_done

from ..models import (
    CTCampaign,
    CTReport,
    Decision,
)
from .decisions import require_all_threads


@transaction.atomic
def initiate_ct_campaign(release, *, by, coordinator, scope):
    """RM.7.1: after the go-ahead of every affected thread, the CT campaign is triggered
    to the designated campaign coordinator."""
    release = begin_activity(release, "RM.7.1", by=by)
    if not raci.holds_party(coordinator, Parties.CAMPAIGN_COORDINATOR):
        raise ValidationError({"coordinator": "Choose an ITSM Campaign Coordinator."})
    require_all_threads(release, Decision.Kind.CT_GO_AHEAD, "go-ahead")
    campaign = CTCampaign.objects.create(
        release=release, coordinator=coordinator, scope=scope, recorded_by=by
    )
    communicate(
        release,
        "RM.7.1",
        by=by,
        interface="Trigger start",
        mail="rm_7_1_trigger_start",
        context={"campaign": campaign},
        to=parties(Parties.CAMPAIGN_COORDINATOR),
        cc=business_threads(release),
    )
    audit.record(
        actor=by,
        action="ct_campaign_started",
        obj=campaign,
        release=release,
        after={"coordinator": str(coordinator), "scope": scope},
    )
    mark_done(release, "RM.7.1", by=by)
    return campaign


@transaction.atomic
def add_ct_report(release, *, by, file, summary=""):
    """RM.7.2: a CT campaign report (from the campaign coordinator)."""
    release = lock(release)
    if not (
        raci.may_perform(by, release, "RM.7.2")
        or raci.holds_party(by, Parties.CAMPAIGN_COORDINATOR)
    ):
        raise PermissionDenied("Only the campaign coordinator or the deployment coordinator.")
    campaign = CTCampaign.objects.filter(release=release).first()
    if campaign is None or release.stage != Stage.CONFORMANCE:
        raise Conflict("No CT campaign is running for this release.")
    report = CTReport.store(file, campaign=campaign, summary=summary, uploaded_by=by)
    audit.record(
        actor=by,
        action="ct_report_added",
        obj=report,
        release=release,
        after={"sha256": report.sha256},
    )
    return report


@transaction.atomic
def forward_ct_reports(release, *, by, message=""):
    """RM.7.2: the CT campaign reports are forwarded to the affected threads and the
    service desk: the campaign is completed."""
    release = begin_activity(release, "RM.7.2", by=by)
    require_done(release, "RM.7.1")
    campaign = release.ct_campaign
    if not campaign.reports.exists():
        raise Conflict("Attach the CT campaign reports first.", missing=["CT campaign report"])
    campaign.completed_at = timezone.now()
    campaign.save(update_fields=["completed_at"])
    communicate(
        release,
        "RM.7.2",
        by=by,
        interface="Notification of completion",
        mail="rm_7_2_completion",
        context={"message": message},
        to=business_threads(release),
        cc=parties(Parties.SERVICE_DESK),
    )
    mark_done(release, "RM.7.2", by=by)
