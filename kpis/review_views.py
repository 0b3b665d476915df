"""The quarterly review's pages (seed 002 section 6; issue 15 point 7): the quarters and
whether each was reviewed, and one quarter's page, its KPIs, lessons learned and open
improvement actions together, where the release manager records the review. For the
ITSM staff: the figures are of every release."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from releasemgmt.web import posted, run_form

from . import review_selectors, services
from .models import QuarterlyReviewAction
from .review_forms import QuarterlyActionStatusForm, QuarterlyReviewForm


def _reader(request) -> None:
    if not review_selectors.may_read(request.user):
        raise PermissionDenied("The quarterly reviews are for the ITSM staff.")


def _quarter_or_404(text):
    period = review_selectors.quarter(text)
    if period is None:
        raise Http404("No such quarter: write it as 2026-Q3.")
    return period


def _initial(review) -> dict:
    if review is None:
        return {}
    return {
        "held_on": review.held_on,
        "participants": [u.username for u in review.participants.all()],
        "summary": review.summary,
        "decisions": review.decisions,
    }


def _page(request, period, *, status=None, form=None, status_form=None):
    context = review_selectors.review_page(request.user, period)
    context["form"] = form or QuarterlyReviewForm(initial=_initial(context["review"]))
    context["status_form"] = status_form
    context["statuses"] = QuarterlyReviewAction.Status.choices
    return render(request, "kpis/review.html", context, status=status)


@login_required
@require_GET
def review_list(request):
    """The last eight quarters and any other with a recorded review, each with whether
    its review is recorded."""
    _reader(request)
    return render(request, "kpis/reviews.html", {"quarters": review_selectors.listed_quarters()})


@login_required
@require_http_methods(["GET", "POST"])
def review(request, quarter):
    """The quarter's review page; the release manager records (or updates) the review
    here (POST), with an improvement action it decided."""
    _reader(request)
    period = _quarter_or_404(quarter)
    if request.method != "POST":
        return _page(request, period)
    form = QuarterlyReviewForm(*posted(request))
    _, status = run_form(
        form,
        lambda data: services.record_quarterly_review(period, by=request.user, **data),
    )
    if status:
        return _page(request, period, status=status, form=form)
    messages.success(request, f"Review of {period.key} recorded.")
    return redirect("kpis:review", quarter=period.key)


@login_required
@require_POST
def move_action(request, quarter, pk):
    """An action of the quarter's review marked done (or open again) by its owner or
    the release manager."""
    _reader(request)
    period = _quarter_or_404(quarter)
    form = QuarterlyActionStatusForm(*posted(request))
    action, status = run_form(
        form,
        lambda data: services.set_quarterly_action_status(period, pk, by=request.user, **data),
    )
    if status:
        return _page(request, period, status=status, status_form=form)
    messages.success(request, f"{action.title}: {action.get_status_display().lower()}.")
    return redirect("kpis:review", quarter=period.key)
