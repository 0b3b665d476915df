"""RM.6.1 / RM.6.6: the service desk sends the mass e-mail the deployment coordinator
asked for to every subscriber of the release's application; it is sent after commit, in
batches (``deployments.mass_sending``)."""

from django.db import transaction

from dsl.subscribers import require_service_desk
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.services import lock

from ..models import MassNotification, MassRecipient
from ..tasks import send_mass_notification_task


def default_message(release, moment: str) -> tuple[str, str]:
    """The service desk's starting text, from the deployment coordinator's request."""
    request = release.notification_requests.filter(moment=moment).order_by("-recorded_at").first()
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


@transaction.atomic
def send_mass_notification(release, *, by, moment: str, subject: str, body: str):
    """The service desk sends the mass e-mail the deployment coordinator asked for
    (RM.6.1 before the installation, RM.6.6 after) to every subscriber of the release's
    application. The sending happens after commit, in batches."""
    require_service_desk(by)
    release = lock(release)
    if not release.notification_requests.filter(moment=moment).exists():
        code = "RM.6.1" if moment == MassNotification.Moment.BEFORE else "RM.6.6"
        raise Conflict(
            f"The deployment coordinator has not asked for it yet ({code}).", missing=[code]
        )
    if release.mass_notifications.filter(moment=moment).exists():
        raise Conflict("This mass notification has been sent already.")
    subscribers = list(release.application.subscribers.values_list("email", "name"))
    if not subscribers:
        raise Conflict(f"{release.application} has no subscriber: import the list first.")
    notification = MassNotification.objects.create(
        release=release,
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
