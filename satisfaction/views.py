"""Pages of the satisfaction survey: the release page's section (loaded with htmx, as
the other rooms above ``releases`` serve theirs) and the respondent's own form, reached
from the start page (the mail's personal link opens ``accounts:personal_link``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from releasemgmt.errors import Conflict
from releasemgmt.web import BAD_INPUT, CONFLICT, apply_errors, posted
from releases.selectors import visible_release_or_404

from . import selectors, services
from .forms import AnswerForm
from .links import _title


@login_required
@require_GET
def release_satisfaction(request, identifier):
    """The answers to the release's survey: all of them and their average for its
    release managers, one's own for a respondent."""
    release = visible_release_or_404(request.user, identifier)
    context = {"release": release, **selectors.release_satisfaction(release, request.user)}
    if request.htmx:
        return render(request, "satisfaction/_section.html", context)
    return render(request, "satisfaction/release.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer(request, identifier):
    """The respondent's form for the release, in the tool (the start page links it): the
    same answer as the mail's link, which it spends."""
    release = visible_release_or_404(request.user, identifier)
    survey = selectors.survey_of(release, request.user)
    if survey is None:  # the release is theirs to see: the 404 says so in its own words
        return render(request, "satisfaction/not_asked.html", {"release": release}, status=404)
    title = _title(survey)
    if survey.answered_at:
        if request.method == "GET" and "done" in request.GET:  # just answered: the thanks
            return render(request, "satisfaction/thanks.html", {"target": survey, "result": survey})
        return render(
            request,
            "satisfaction/answered.html",
            {"survey": survey, "title": title},
            status=200 if request.method == "GET" else CONFLICT,
        )
    data, _ = posted(request)
    form = AnswerForm(data, target=survey)
    status = 200
    if data is not None:
        status = BAD_INPUT
        if form.is_valid():
            try:
                services.answer(survey, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = CONFLICT
            else:
                return redirect(f"{request.path}?done")
    return render(
        request,
        "satisfaction/answer.html",
        {"target": survey, "form": form, "title": title},
        status=status,
    )
