"""RM.4: test reports go to the business threads; their GO is implemented (RM.4.1 after
pSAT, RM.4.2 after SAT, DQR or qualification)."""

from django.db import transaction

from raci.permissions import DEPLOYMENT_PARTIES
from releasemgmt.audit import services as audit
from releases.communications import (
    business_threads,
    communicate,
    parties,
)
from releases.services import begin_activity, mark_done, require_done

from ..models import (
    Decision,
    TestReport,
)
from .decision_requests import mail_options
from .decisions import require_all_threads
from .links import decision_link

REPORT_INTERFACE = {
    TestReport.Kind.PSAT: "pSAT report",
    TestReport.Kind.SAT: "SAT report",
    TestReport.Kind.DQR: "DQR report",
    TestReport.Kind.QUALIFICATION: "SAT report",
}
#: the mail of each report: one template pair per Table 4-2 interface
REPORT_MAIL = {
    TestReport.Kind.PSAT: "rm_4_1_psat_report",
    TestReport.Kind.SAT: "rm_4_2_sat_report",
    TestReport.Kind.DQR: "rm_4_2_dqr_report",
    TestReport.Kind.QUALIFICATION: "rm_4_2_sat_report",
}


@transaction.atomic
def submit_test_report(release, *, by, kind, file, summary="") -> TestReport:
    """RM.4.1 / RM.4.2: the deployment coordinator sends the report to the business
    threads, who give their GO/NOGO on it."""
    code = "RM.4.1" if kind == TestReport.Kind.PSAT else "RM.4.2"
    release = begin_activity(release, code, by=by)
    if code == "RM.4.2":
        require_done(release, "RM.4.1")
    report = TestReport.store(file, release=release, kind=kind, summary=summary, uploaded_by=by)
    decision_kind = Decision.Kind.PSAT if kind == TestReport.Kind.PSAT else Decision.Kind.SAT
    communicate(
        release,
        code,
        by=by,
        interface=REPORT_INTERFACE[kind],
        mail=REPORT_MAIL[kind],
        context={"report": report},
        to=business_threads(release),
        link=decision_link(release, decision_kind),
        **mail_options(release, decision_kind),
    )
    audit.record(
        actor=by,
        action="test_report_submitted",
        obj=report,
        release=release,
        after={"kind": kind, "sha256": report.sha256},
    )
    return report


def _implement_go(release, code, kind, *, by, what):
    """RM.4.1 / RM.4.2: DG TAXUD's GO is implemented; the deployment parties are told."""
    release = begin_activity(release, code, by=by)
    require_all_threads(release, kind, "decision")
    communicate(
        release,
        code,
        by=by,
        mail="rm_4_go",
        context={"what": what},
        to=parties(*DEPLOYMENT_PARTIES),
    )
    mark_done(release, code, by=by, outcome="GO")


@transaction.atomic
def implement_psat_decision(release, *, by):
    """RM.4.1: every affected thread said GO on the latest pSAT report: SAT may start."""
    _implement_go(release, "RM.4.1", Decision.Kind.PSAT, by=by, what="the SAT")


@transaction.atomic
def implement_sat_decision(release, *, by):
    """RM.4.2: GO after SAT (or DQR, qualification) from every affected thread."""
    _implement_go(release, "RM.4.2", Decision.Kind.SAT, by=by, what="the post-SAT deployments")
