"""Applications as master data (issue 13 point 1): created and kept in the product by
the configuration manager or the release manager, with their default business
threads."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from raci import permissions
from raci.models import Party
from releasemgmt.audit import services as audit

from .models import Application

WHO = (
    "Only the ITSM Configuration Manager, the ITSM Release Manager or a process owner "
    "keeps applications."
)


def require_master_data(user) -> None:
    if not permissions.may_manage_master_data(user):
        raise PermissionDenied(WHO)


def _snapshot(application) -> dict:
    return {
        "code": application.code,
        "name": application.name,
        "description": application.description,
        "business_threads": sorted(p.slug for p in application.business_threads.all()),
    }


@transaction.atomic
def save_application(
    *, by, application=None, code=None, name, description="", business_threads=()
) -> Application:
    """Create an application (its code is then fixed: release identifiers carry it) or
    change its name, description and default business threads."""
    require_master_data(by)
    threads = list(business_threads)
    if any(p.kind != Party.Kind.BUSINESS_THREAD for p in threads):
        raise ValidationError({"business_threads": "Only business threads may be chosen."})
    if application is None:
        if code == "new":
            raise ValidationError({"code": "This code names the page of a new application."})
        if Application.objects.filter(code=code).exists():
            raise ValidationError({"code": f"An application {code} exists already."})
        application, before = Application(code=code), None
    else:
        application = Application.objects.select_for_update().get(pk=application.pk)
        before = _snapshot(application)
    application.name = name
    application.description = description
    application.save()
    application.business_threads.set(threads)
    audit.record(
        actor=by,
        action="application_saved" if before else "application_created",
        obj=application,
        before=before,
        after=_snapshot(application),
    )
    return application
