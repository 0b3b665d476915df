"""Aftercare's pages: a release's hypercare (its section on the release page is this
page's partial, loaded by htmx: the release page belongs to a room below). Thin: they
ask, bind a form, call a service, render; a refusal comes back on the form with what
was typed."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from releasemgmt.paging import Counted
from releasemgmt.web import posted, run_form
from releases import selectors as release_selectors
from releases.models import Application

from . import lessons, selectors, services
from .forms import (
    ActionForm,
    ActionStatusForm,
    CloseHypercareForm,
    IncidentForm,
    LatestLessonsForm,
    LessonForm,
    LessonSearchForm,
    ResolveIncidentForm,
    ReviewForm,
    TriggerRollbackForm,
)
from .models import ImprovementAction


def _hypercare_page(request, release, *, status=None, **forms):
    context = {
        "release": release,
        **selectors.hypercare_of(release, request.user),
        "incident_form": forms.get("incident_form") or IncidentForm(release=release),
        "close_form": forms.get("close_form") or CloseHypercareForm(release=release),
        "rollback_form": forms.get("rollback_form") or TriggerRollbackForm(release=release),
        "resolve_form": forms.get("resolve_form"),
    }
    if request.htmx and status is None:
        return render(request, "aftercare/_hypercare.html", context)
    return render(request, "aftercare/hypercare.html", context, status=status)


@login_required
def hypercare(request, identifier):
    """The release's hypercare: its period, exit criteria, incidents and timeline (the
    release page's ``hypercare`` section when asked by htmx)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    return _hypercare_page(request, release)


@login_required
@require_POST
def record_incident(request, identifier):
    """An incident against the release in hypercare (the parties that operate it)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = IncidentForm(*posted(request), release=release)
    incident, status = run_form(
        form, lambda data: services.record_incident(release, by=request.user, **data)
    )
    if status:
        return _hypercare_page(request, release, status=status, incident_form=form)
    messages.success(request, f"Incident {incident.reference} recorded.")
    return redirect("aftercare:hypercare", identifier=identifier)


@login_required
@require_POST
def resolve_incident(request, identifier, reference):
    """An incident of the release resolved."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = ResolveIncidentForm(*posted(request), release=release)
    incident, status = run_form(
        form,
        lambda data: services.resolve_incident(release, reference, by=request.user, **data),
    )
    if status:
        return _hypercare_page(request, release, status=status, resolve_form=form)
    messages.success(request, f"Incident {incident.reference} resolved.")
    return redirect("aftercare:hypercare", identifier=identifier)


@login_required
@require_POST
def close_hypercare(request, identifier):
    """Hypercare ends (the release manager), with why."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = CloseHypercareForm(*posted(request), release=release)
    _, status = run_form(
        form, lambda data: services.close_hypercare(release, by=request.user, **data)
    )
    if status:
        return _hypercare_page(request, release, status=status, close_form=form)
    messages.success(request, "Hypercare closed.")
    return redirect("aftercare:hypercare", identifier=identifier)


@login_required
@require_POST
def trigger_rollback(request, identifier):
    """The rollback triggered from hypercare (the deployment coordinator, RM.6.4)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = TriggerRollbackForm(*posted(request), release=release)
    _, status = run_form(
        form, lambda data: services.trigger_rollback(release, by=request.user, **data)
    )
    if status:
        return _hypercare_page(request, release, status=status, rollback_form=form)
    messages.success(request, "Rollback triggered: the affected threads validate it (RM.6.4).")
    return redirect("releases:activity", identifier=identifier, code="RM.6.4")


# --- the post-release review ------------------------------------------------------------


def _review_page(request, release, *, status=None, **forms):
    data = selectors.review_page_of(release, request.user)
    review = data["review"]
    initial = (
        {
            f: getattr(review, f)
            for f in ("note", "objectives", "objectives_comment", "schedule_comment")
        }
        | {"stakeholder_feedback": review.stakeholder_feedback}
        if review
        else {}
    )
    context = {
        "release": release,
        **data,
        "review_form": forms.get("review_form") or ReviewForm(release=release, initial=initial),
        "action_form": forms.get("action_form") or ActionForm(release=release),
        "lesson_form": forms.get("lesson_form") or LessonForm(release=release),
        "status_form": forms.get("status_form"),
        "statuses": ImprovementAction.Status.choices,
    }
    if request.htmx and status is None:
        return render(request, "aftercare/_review.html", context)
    return render(request, "aftercare/review.html", context, status=status)


@login_required
def review(request, identifier):
    """The release's post-release review (the release page's ``review`` section when
    asked by htmx); the release manager writes it here (POST)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    if request.method != "POST":
        return _review_page(request, release)
    form = ReviewForm(*posted(request), release=release)
    _, status = run_form(form, lambda data: services.write_review(release, by=request.user, **data))
    if status:
        return _review_page(request, release, status=status, review_form=form)
    messages.success(request, "Post-release review recorded.")
    return redirect("aftercare:review", identifier=identifier)


@login_required
@require_POST
def add_action(request, identifier):
    """An improvement action added to the review (the release manager)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = ActionForm(*posted(request), release=release)
    action, status = run_form(
        form, lambda data: services.add_action(release, by=request.user, **data)
    )
    if status:
        return _review_page(request, release, status=status, action_form=form)
    messages.success(request, f"Improvement action added: {action.title}.")
    return redirect("aftercare:review", identifier=identifier)


@login_required
@require_POST
def move_action(request, identifier, pk):
    """An improvement action moved on by its owner or the release manager."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = ActionStatusForm(*posted(request), release=release)
    action, status = run_form(
        form, lambda data: services.set_action_status(release, pk, by=request.user, **data)
    )
    if status:
        return _review_page(request, release, status=status, status_form=form)
    messages.success(request, f"{action.title}: {action.get_status_display().lower()}.")
    return redirect("aftercare:review", identifier=identifier)


# --- lessons learned --------------------------------------------------------------------

#: lessons on one page of ``/lessons/``
LESSONS_PER_PAGE = 20


@login_required
@require_POST
def add_lesson(request, identifier):
    """A lesson learned added to the review (the release manager)."""
    release = release_selectors.visible_release_or_404(request.user, identifier)
    form = LessonForm(*posted(request), release=release)
    _, status = run_form(form, lambda data: lessons.add_lesson(release, by=request.user, **data))
    if status:
        return _review_page(request, release, status=status, lesson_form=form)
    messages.success(request, "Lesson recorded.")
    return redirect("aftercare:review", identifier=identifier)


@login_required
def lesson_list(request):
    """Every lesson the user may see, newest first: by text, application and tag, paged
    (the same queries whatever the page)."""
    form = LessonSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    wanted = {k: filters.get(k) or "" for k in ("q", "application", "tag")}
    found = lessons.search(request.user, **wanted)
    paginator = Counted(
        found, LESSONS_PER_PAGE, lambda up_to: lessons.count(request.user, up_to, **wanted)
    )
    page = paginator.get_page(filters.get("page") or 1)
    query = {k: v for k, v in filters.items() if v and k != "page"}
    context = {
        "form": form,
        "page": page,
        "lessons": list(page.object_list),
        "query": urlencode(query),
        "applications": Application.objects.order_by("code").values_list("code", flat=True),
    }
    status = 400 if request.GET and not form.is_valid() else None
    return render(request, "aftercare/lessons.html", context, status=status)


@login_required
def latest_lessons(request):
    """ "What we learned last time": the latest lessons of the application a release is
    planned for, for the RM.1.1 and RM.1.3 pages (loaded by htmx: those pages belong to
    rooms below)."""
    form = LatestLessonsForm(request.GET)
    release = application = None
    if form.is_valid():
        identifier = form.cleaned_data["release"]
        if identifier:
            release = release_selectors.visible_release_or_404(request.user, identifier)
            application = release.application
        else:
            application = _application(form.cleaned_data["application"])
    shown = (
        lessons.latest_for(request.user, application_id=application.pk, before=release)
        if application
        else []
    )
    context = {"application": application, "lessons": shown}
    return render(request, "aftercare/_latest_lessons.html", context)


def _application(value: str):
    """The application a form names by its code, or by its id (the new release form)."""
    if not value:
        return None
    if value.isdigit() and len(value) < 18:
        return Application.objects.filter(pk=int(value)).first()
    return Application.objects.filter(code=value).first()
