"""The domain's errors, known to every service and to nothing of the web or the API.

Services raise Django's ``ValidationError`` (bad input, naming the field),
``PermissionDenied`` (Table 4-1 does not let the caller do it) or ``Conflict`` (the
process does not allow it now, or someone else got there first). Each interface turns
them into its answer in one place: ``releasemgmt.api.errors`` (JSON) and
``releasemgmt.web`` (a page in the site's layout, the form shown again)."""

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent


class Conflict(Exception):
    """The request is valid but the release's state does not allow it now."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


#: what a caller is told of an unexpected failure (the traceback goes to the log only)
SERVER_ERROR = "Server error: the request was not carried out. It is logged for the operators."


def unreadable(exc) -> tuple[int, str]:
    """The status and reason for a request Django would not read (``SuspiciousOperation``:
    a body over the limit, too many fields or files, a broken multipart body)."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return 413, f"The request's body is over the {limit:,} bytes it may hold."
    if isinstance(exc, TooManyFieldsSent):
        return 400, f"The request has over {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS:,} fields."
    if isinstance(exc, TooManyFilesSent):
        return 400, f"The request has over {settings.DATA_UPLOAD_MAX_NUMBER_FILES:,} files."
    return 400, "The request could not be read."
