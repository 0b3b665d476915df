"""The domain's errors, known to every service and to nothing of the web or the API.

Services raise Django's ``ValidationError`` (bad input, naming the field),
``PermissionDenied`` (Table 4-1 does not let the caller do it) or ``Conflict`` (the
process does not allow it now, or someone else got there first). Each interface turns
them into its answer in one place: ``releasemgmt.api.errors`` (JSON) and
``releasemgmt.web`` (a page in the site's layout, the form shown again)."""


class Conflict(Exception):
    """The request is valid but the release's state does not allow it now."""

    def __init__(self, message: str, missing: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


#: what a caller is told of an unexpected failure (the traceback goes to the log only)
SERVER_ERROR = "Server error: the request was not carried out. It is logged for the operators."
