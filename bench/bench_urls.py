"""The app's URLconf plus the trivial view the benchmark compares every page with. Bench
only: the app itself has no such view."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path

# the site's error pages, as the site answers them
from releasemgmt.urls import handler400, handler403, handler404, handler500  # noqa: F401

TRIVIAL = "/bench/trivial/"


@login_required
def trivial(request):
    """What every authenticated page pays before its own work: the middleware, the session
    and user lookups and the request transaction (``ATOMIC_REQUESTS``); no query of its
    own, no template."""
    return HttpResponse(f"ok {request.user.pk}\n", content_type="text/plain")


urlpatterns = [
    path(TRIVIAL.strip("/") + "/", trivial, name="bench-trivial"),
    path("", include("releasemgmt.urls")),
]
