"""The web's one error path. A service's error in a form flow comes back on the form,
with what the user typed (and a note to choose a file again: browsers never keep one);
anywhere else it is a page in the site's layout that gives the reason. Under ``/api/``
the same handlers answer with the API's JSON."""

import re
from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseServerError, JsonResponse
from django.shortcuts import render, resolve_url
from django.template import loader
from django.views.defaults import page_not_found, permission_denied
from django_htmx.http import HttpResponseClientRedirect

from releasemgmt.errors import SERVER_ERROR, Conflict, unreadable

#: the answer of a form flow that failed, by the kind of error
BAD_INPUT, NOT_ALLOWED, CONFLICT = 400, 403, 409
CHOOSE_AGAIN = "Choose the file again: nothing was saved, and browsers do not keep a file."


def posted(request):
    """(data, files) for binding a form on POST, (None, None) otherwise. An empty POST
    (every box unticked) is still a submission: ``request.POST or None`` would miss it."""
    if request.method == "POST":
        return request.POST, request.FILES
    return None, None


def apply_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form, on its field where it names one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _ask_for_files_again(form) -> None:
    for name, field in form.fields.items():
        chosen = isinstance(field, forms.FileField) and form.files.get(form.add_prefix(name))
        if chosen and name not in form.errors:
            form.add_error(name, CHOOSE_AGAIN)


def run_form(form, perform):
    """Validate ``form`` and call ``perform(cleaned_data)``. Returns ``(result, None)`` on
    success, or ``(None, status)`` with the error on the form: 400 bad input, 403 not
    allowed (the reason, not a bare page), 409 the process does not allow it now."""
    if not form.is_valid():
        _ask_for_files_again(form)
        return None, BAD_INPUT
    try:
        result = perform(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        status = BAD_INPUT
    except PermissionDenied as exc:
        form.add_error(None, str(exc) or "You may not do this.")
        status = NOT_ALLOWED
    except Conflict as exc:
        form.add_error(None, exc.message)
        status = CONFLICT
    else:
        return result, None
    _ask_for_files_again(form)
    return None, status


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception=None):
    """404: the API's JSON under /api/, elsewhere the page in the site's layout."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 (413 for a body over the limit): what Django refuses before any view, a body
    too large or with too many fields among them; JSON under /api/, elsewhere a page in
    the site's layout (Django's own page had neither the layout nor the reason)."""
    status, reason = unreadable(exception)
    if _is_api(request):
        return JsonResponse({"detail": reason}, status=status)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return render(request, "400.html", {"reason": reason, "limit": limit}, status=status)


def forbidden(request, exception=None):
    """403: the reason on a page in the site's layout (JSON under /api/)."""
    if _is_api(request):
        return JsonResponse({"detail": str(exception) or "Not allowed."}, status=403)
    return permission_denied(request, exception)


def server_error(request):
    """500: a page that says nothing of the code (JSON under /api/)."""
    if _is_api(request):
        return JsonResponse({"detail": SERVER_ERROR}, status=500)
    # Without the request's context: the failure may be the database the layout reads.
    return HttpResponseServerError(loader.get_template("500.html").render())


#: characters no path of the project holds: the control characters (the NUL among them,
#: which PostgreSQL refuses in any text) and the surrogates
UNNAMEABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def no_such_path(get_response):
    """A path with a character no identifier, reference or name can hold is no page: 404,
    before anything reads it. A NUL in a release's identifier (``/releases/%00/``) reached
    the database from thirty views and answered 500."""

    def middleware(request):
        if UNNAMEABLE.search(request.path_info):
            raise Http404("No such page.")
        return get_response(request)

    return middleware


def login_for_htmx(get_response):
    """A part or section asked by htmx (the start page's parts, a release page's
    sections, a form posted in place) whose login has expired: the browser would follow
    the redirect and swap the login page into the part. The whole page goes to log in
    instead (``HX-Redirect``), and comes back to the page the user was on, not the part."""

    def middleware(request):
        response = get_response(request)
        if (
            request.htmx
            and response.status_code == 302
            and urlsplit(response["Location"]).path == resolve_url(settings.LOGIN_URL)
        ):
            return HttpResponseClientRedirect(redirect_to_login(_page_of(request))["Location"])
        return response

    return middleware


def _page_of(request) -> str:
    """The path of the page an htmx request came from, on this site; the start page for
    another site's or an address that is none (``http://[::1``, which failed to parse:
    a 500 before the login)."""
    try:
        return request.htmx.current_url_abs_path or "/"
    except ValueError:
        return "/"
