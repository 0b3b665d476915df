"""RM.6.1 / RM.6.6: the service desk sends the mass e-mail the deployment coordinator
asked for to every subscriber of the release's application: one per request, so one per
moment (before, after) of each installation round. It is sent after commit, in batches
(``deployments.mass_sending``)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from dsl.subscribers import require_service_desk
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.inputs import check_text, validate_plain_text, validate_single_line
from releases.services import lock

from ..models import REQUESTED_IN, MassNotification, MassRecipient, NotificationRequest
from ..tasks import send_mass_notification_task

ALREADY_SENT = "This mass notification has been sent already."


def current_request(release, moment: str) -> NotificationRequest | None:
    """The deployment coordinator's request of ``moment`` in the release's current
    installation round (a re-authorisation after a rollback starts a new round)."""
    return (
        release.notification_requests.of_current_round()
        .filter(moment=moment)
        .select_related("mass_notification")
        .order_by("-recorded_at")
        .first()
    )


def not_asked_yet(moment: str) -> Conflict:
    code = REQUESTED_IN[moment]
    return Conflict(
        f"The deployment coordinator has not asked for it yet ({code}).", missing=[code]
    )


def default_message(release, moment: str) -> tuple[str, str]:
    """The service desk's starting text, from the deployment coordinator's request of
    the current round."""
    request = current_request(release, moment)
    if moment == MassNotification.Moment.BEFORE:
        subject = f"{release.application.name}: new release {release.version} to be installed"
    else:
        subject = f"{release.application.name}: release {release.version} " + (
            "rolled back" if release.rollback_plan_used else "available"
        )
    body = request.message if request else ""
    if request and request.disruption:
        body += f"\n\nExpected disruption: {request.disruption}"
    return subject, body


def check_message(moment: str, subject: str, body: str) -> None:
    """What goes out to every subscriber: a known moment, a subject of one line, a body of
    lines (no other control character), each within its limit. 400 naming the field."""
    if moment not in REQUESTED_IN:
        raise ValidationError({"moment": "Choose before or after the installation."})
    check_text(
        {
            "subject": (subject, MassNotification.SUBJECT_MAX_LENGTH, validate_single_line),
            "body": (body, MassNotification.BODY_MAX_LENGTH, validate_plain_text),
        }
    )


@transaction.atomic
def send_mass_notification(release, *, by, moment: str, subject: str, body: str):
    """The service desk sends the mass e-mail the deployment coordinator asked for
    (RM.6.1 before the installation, RM.6.6 after) to every subscriber of the release's
    application, once per request of the current installation round. The sending happens
    after commit, in batches."""
    require_service_desk(by)
    check_message(moment, subject, body)
    release = lock(release)
    request = current_request(release, moment)
    if request is None:
        raise not_asked_yet(moment)
    if hasattr(request, "mass_notification"):
        raise Conflict(ALREADY_SENT)
    subscribers = list(release.application.subscribers.values_list("email", "name"))
    if not subscribers:
        raise Conflict(f"{release.application} has no subscriber: import the list first.")
    notification = MassNotification.objects.create(
        release=release,
        request=request,
        moment=moment,
        subject=subject,
        body=body,
        requested_by=by,
        total=len(subscribers),
    )
    MassRecipient.objects.bulk_create(
        [MassRecipient(notification=notification, email=e, name=n) for e, n in subscribers],
        batch_size=2000,
    )
    audit.record(
        actor=by,
        action="mass_notification_sent",
        obj=notification,
        release=release,
        after={"moment": moment, "subject": subject, "recipients": len(subscribers)},
    )
    transaction.on_commit(lambda: send_mass_notification_task.delay(notification.pk))
    return notification
