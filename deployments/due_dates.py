"""When a business thread's decision is due (issue 16 point 3): from what it rests on
and the application's policy (``releases.due_dates`` gives the offsets and the rules
of the activities themselves).

- GO/NOGO after pSAT or SAT (RM.4.1, RM.4.2): the policy's working days to decide after
  the test report was submitted (Table 4-2: the acceptance comes back by e-mail).
- Approval of the installation plan (RM.5.1): the working days to decide after the plan
  was submitted, and never later than the policy's lead days before the installation.
- Authorisation of the installation (RM.5.2): the lead days before the installation.
- Validation of a rollback (RM.6.4): the day the failed installation was reported; a
  rollback waits for nobody.
- Go-ahead of conformance testing (RM.7.1): as the activity, the working days after the
  installation."""

import datetime

from releases.due_dates import (
    DuePolicy,
    activity_due,
    add_working_days,
    loaded_policy,
    local_day,
)

from .models import Decision


def decision_due(
    release, kind: str, basis, milestones: dict | None = None, policy: DuePolicy | None = None
) -> datetime.date:
    """The due date of decision ``kind`` resting on ``basis`` (the report or plan; the
    release for the go-ahead). The application's ``policy`` is given, or selected with
    the release's application; ``milestones`` ({kind: milestone}) are read with the
    others' (or the release's ``milestones`` prefetched): no query."""
    policy = policy or loaded_policy(release.application)
    installation = release.planned_installation_date
    authorised_by = installation - datetime.timedelta(days=policy.authorisation_lead_days)
    if kind in (Decision.Kind.PSAT, Decision.Kind.SAT):
        return add_working_days(local_day(basis.uploaded_at), policy.decision_days)
    if kind == Decision.Kind.INSTALLATION_PLAN:
        decided_by = add_working_days(local_day(basis.uploaded_at), policy.decision_days)
        return min(decided_by, authorised_by)
    if kind == Decision.Kind.AUTHORISATION:
        return authorised_by
    if kind == Decision.Kind.ROLLBACK:
        return local_day(basis.uploaded_at)
    if milestones is None:
        milestones = {m.kind: m for m in release.milestones.all()}
    return activity_due(release, "RM.7.1", milestones, policy)
