"""Change management's pages (being built: every page answers 404 until it lands)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404


@login_required
def _not_yet(request, **kwargs):
    raise Http404("Not built yet.")


start = rfc_list = raise_rfc = rfc_page = revise_rfc = fire_step = record_review = _not_yet
attach = attachment = schedule = meetings = plan_meeting = meeting = agenda = _not_yet
advice = decide = minutes = _not_yet
