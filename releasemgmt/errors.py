"""One error format. Services raise Django's ValidationError (bad input, 400 naming the
field), PermissionDenied (403) or ``Conflict`` (409: the process does not allow it now,
or someone else got there first); the API renders them all the same way."""

from django.core.exceptions import ValidationError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class Conflict(Exception):
    """The request is valid but the release's state does not allow it now."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


def api_exception_handler(exc, context):
    if isinstance(exc, Conflict):
        body = {"detail": exc.message}
        if exc.missing:
            body["missing"] = exc.missing
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    return exception_handler(exc, context)
