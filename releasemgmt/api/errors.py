"""The API's one error path: every failure is JSON with the documented body.

Domain errors (``releasemgmt.errors``) and Django's own become 400, 403, 404 or 409;
anything unexpected becomes a 500 with ``{"detail": ...}`` (logged with its traceback,
the request's transaction rolled back), never an HTML page."""

import logging

from django.core.exceptions import SuspiciousOperation, ValidationError
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from releasemgmt.errors import SERVER_ERROR, Conflict, unreadable

log = logging.getLogger("releasemgmt.api")


def api_exception_handler(exc, context):
    if isinstance(exc, Conflict):
        body = {"detail": exc.message}
        if exc.missing:
            body["missing"] = exc.missing
        set_rollback()
        return Response(body, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, SuspiciousOperation):  # a body over the limit, too many fields
        status_code, reason = unreadable(exc)
        set_rollback()
        return Response({"detail": reason}, status=status_code)
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    response = exception_handler(exc, context)
    if response is None:
        request = context.get("request")
        log.error(
            "Unhandled error on %s %s",
            getattr(request, "method", "?"),
            getattr(request, "path", "?"),
            exc_info=exc,
        )
        set_rollback()
        response = Response({"detail": SERVER_ERROR}, status=500)
    return response


# --- the error bodies in the OpenAPI schema ----------------------------------------


class ErrorDetail(serializers.Serializer):
    """One message: not authenticated, not allowed, not found, too many attempts."""

    detail = serializers.CharField()


class ConflictDetail(serializers.Serializer):
    """The process does not allow it now (or someone else got there first)."""

    detail = serializers.CharField()
    missing = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="The activities still to be done first, when that is the reason.",
    )


class ValidationErrors(serializers.Serializer):
    """Bad input: each offending field (query parameter or body field) with its
    messages; ``non_field_errors`` for the request as a whole; ``detail`` alone when the
    body cannot be parsed at all."""


class ValidationErrorsSchema(OpenApiSerializerExtension):
    target_class = ValidationErrors

    def map_serializer(self, auto_schema, direction):
        messages = {"type": "array", "items": {"type": "string"}}
        return {
            "type": "object",
            "description": "Each offending field with its messages; `non_field_errors` for "
            "the request as a whole; `detail` alone when the body cannot be parsed.",
            "properties": {"detail": {"type": "string"}, "non_field_errors": messages},
            "additionalProperties": messages,
        }


_ERRORS = {
    400: (ValidationErrors, "Bad input, named field by field."),
    401: (ErrorDetail, "Not authenticated."),
    403: (ErrorDetail, "Table 4-1 does not let the caller do this."),
    404: (ErrorDetail, "No such object, or a release that is not the caller's."),
    409: (ConflictDetail, "The release's state does not allow it now."),
    415: (ErrorDetail, "The body is not JSON or a form (multipart or URL-encoded) as documented."),
    429: (ErrorDetail, "Too many failed attempts; try again later."),
}


def error_responses(*codes: int) -> dict:
    """The error statuses an endpoint really gives, for ``extend_schema(responses=...)``."""
    return {
        code: OpenApiResponse(response=_ERRORS[code][0], description=_ERRORS[code][1])
        for code in codes
    }
