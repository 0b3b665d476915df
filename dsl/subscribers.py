"""The impacted users of each application (its subscribers), who receive the service
desk's mass notifications (RM.6.1, RM.6.6): kept by the service desk, imported from CSV
(good rows kept, each bad row reported by its line)."""

import csv
import io

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction

from raci import permissions
from releasemgmt import inputs
from releasemgmt.audit import services as audit

from .models import Subscriber


def require_service_desk(user) -> None:
    if not permissions.may_send_mass_notifications(user):
        raise PermissionDenied("Only the ITSM Service Desk sends mass notifications.")


def read_csv_upload(uploaded) -> str:
    """An uploaded subscriber list as text: within ``MAX_SUBSCRIBER_CSV_SIZE``, UTF-8."""
    if uploaded.size > settings.MAX_SUBSCRIBER_CSV_SIZE:
        limit = settings.MAX_SUBSCRIBER_CSV_SIZE // (1024 * 1024)
        raise ValidationError({"file": f"The file is larger than {limit} MiB."})
    try:
        return uploaded.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "The file is not UTF-8 text."}) from exc


EMAIL_LENGTH = Subscriber._meta.get_field("email").max_length
NAME_LENGTH = Subscriber._meta.get_field("name").max_length


def _unreadable(exc: csv.Error, line: int) -> ValidationError:
    """The whole file refused: past a line the CSV reader cannot read, nothing is sure."""
    reason = str(exc)
    if "field larger than field limit" in reason:
        reason = f"a field is longer than {csv.field_size_limit():,} characters"
    return ValidationError({"file": f"Line {line} cannot be read as CSV: {reason}."})


def _row_problem(email: str, name: str) -> str | None:
    """Why a row's values cannot be a subscriber (said without the values), or None."""
    return inputs.text_problem(
        email, "The e-mail address", max_length=EMAIL_LENGTH
    ) or inputs.text_problem(name, "The name", max_length=NAME_LENGTH)


@transaction.atomic
def import_subscribers(application, *, by, text: str) -> tuple[int, list[str]]:
    """Add the subscribers of a CSV (columns: email, name). Good rows are kept; each bad
    row is reported with its line number. Returns (added, errors). A file the CSV reader
    cannot read to its end (a field beyond its limit, a stray carriage return) is
    refused as a whole, and nothing is added."""
    require_service_desk(by)
    reader = csv.DictReader(io.StringIO(text))
    added, errors = [], []
    try:
        fieldnames = reader.fieldnames
        if not fieldnames or "email" not in [f.strip().lower() for f in fieldnames]:
            raise ValidationError({"file": "The first line must name the columns: email,name"})
        known = set(application.subscribers.values_list("email", flat=True))
        for line, row in enumerate(reader, start=2):
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            email, name = row.get("email", "").lower(), row.get("name", "")
            if problem := _row_problem(email, name):
                errors.append(f"Line {line}: {problem}")
                continue
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"Line {line}: '{email}' is not an e-mail address.")
                continue
            if email in known:
                errors.append(f"Line {line}: {email} is already subscribed.")
                continue
            known.add(email)
            added.append(Subscriber(application=application, email=email, name=name))
    except csv.Error as exc:
        raise _unreadable(exc, reader.reader.line_num) from exc
    Subscriber.objects.bulk_create(added)
    audit.record(
        actor=by,
        action="subscribers_imported",
        obj=application,
        after={"added": len(added), "errors": len(errors)},
    )
    return len(added), errors


@transaction.atomic
def add_subscriber(application, *, by, email: str, name: str = "") -> Subscriber:
    """One impacted user added by hand (the form has checked the address and the name)."""
    require_service_desk(by)
    email = email.strip().lower()
    if application.subscribers.filter(email=email).exists():
        raise ValidationError({"email": f"{email} is already subscribed."})
    subscriber = Subscriber.objects.create(application=application, email=email, name=name)
    audit.record(actor=by, action="subscriber_added", obj=application, after={"email": email})
    return subscriber


@transaction.atomic
def remove_subscriber(application, *, by, email: str) -> None:
    require_service_desk(by)
    deleted, _ = application.subscribers.filter(email=email.strip().lower()).delete()
    if deleted:
        audit.record(actor=by, action="subscriber_removed", obj=application, after={"email": email})
