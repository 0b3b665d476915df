"""One error format for the API: Django's ValidationError and PermissionDenied raised
by services become 400 (naming the field) and 403, like DRF's own errors."""

from django.core.exceptions import ValidationError
from rest_framework import exceptions
from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(exc.message_dict)
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    return exception_handler(exc, context)
