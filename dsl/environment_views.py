"""Pages of the master data: applications and their environments, side by side with
what each runs now, and one environment's timeline (issue 13 points 1 and 5). Everyone
logged in reads them; the configuration manager and the release manager keep them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from raci import permissions
from releasemgmt.web import posted, run_form
from releases import applications
from releases.models import Application

from . import environment_selectors as selectors
from . import environments
from .environment_forms import ApplicationChangeForm, ApplicationForm, EnvironmentForm, VersionForm


def _require(user):
    if not permissions.may_manage_master_data(user):
        raise PermissionDenied(applications.WHO)


@login_required
def application_list(request):
    rows = Application.objects.prefetch_related("business_threads").annotate(
        environment_count=Count("environments")
    )
    return render(
        request,
        "dsl/applications.html",
        {"applications": rows, "may_manage": permissions.may_manage_master_data(request.user)},
    )


def _application_form(request, application=None):
    _require(request.user)
    initial = None
    if application is not None:
        initial = {
            "name": application.name,
            "description": application.description,
            "business_threads": list(application.business_threads.all()),
        }
    form_class = ApplicationForm if application is None else ApplicationChangeForm
    form = form_class(posted(request)[0], initial=initial)
    if request.method == "POST":
        saved, status = run_form(
            form,
            lambda data: applications.save_application(
                by=request.user, application=application, **data
            ),
        )
        if status is None:
            messages.success(request, f"{saved.code.upper()} saved.")
            return redirect("applications:detail", code=saved.code)
    else:
        status = None
    return render(
        request,
        "dsl/application_form.html",
        {"form": form, "application": application},
        status=status,
    )


@login_required
def application_create(request):
    return _application_form(request)


@login_required
def application_edit(request, code):
    return _application_form(request, get_object_or_404(Application, code=code))


@login_required
def application_detail(request, code):
    """The application with its environments side by side and the version each runs."""
    application = get_object_or_404(
        Application.objects.prefetch_related("business_threads"), code=code
    )
    rows = selectors.with_releases_shown(request.user, selectors.environments_of(application))
    return render(
        request,
        "dsl/application.html",
        {
            "application": application,
            "environments": rows,
            "may_manage": permissions.may_manage_master_data(request.user),
            "may_see_subscribers": permissions.may_see_subscribers(request.user),
        },
    )


@login_required
def environment_create(request, code):
    return _environment_form(request, get_object_or_404(Application, code=code))


@login_required
def environment_edit(request, code, env):
    application = get_object_or_404(Application, code=code)
    environment = selectors.environment(application, env)
    if environment is None:
        raise Http404("No such environment.")
    return _environment_form(request, application, environment)


def _environment_form(request, application, environment=None):
    _require(request.user)
    data = posted(request)[0]
    form = EnvironmentForm(data, environment=environment)
    status = None
    if request.method == "POST":
        saved, status = run_form(
            form,
            lambda given: environments.save_environment(
                application, by=request.user, environment=environment, **given
            ),
        )
        if status is None:
            messages.success(request, f"{saved.name} saved.")
            return redirect("applications:environment", code=application.code, env=saved.slug)
    return render(
        request,
        "dsl/environment_form.html",
        {"form": form, "application": application, "environment": environment},
        status=status,
    )


@login_required
def environment_detail(request, code, env):
    """One environment: owner, status, and its timeline (what was installed, by which
    release, rolled back when). The keepers record a version installed outside a
    release here."""
    application = get_object_or_404(Application, code=code)
    environment = selectors.environment(application, env)
    if environment is None:
        raise Http404("No such environment.")
    form, status = VersionForm(), None
    if request.method == "POST":
        _require(request.user)
        form = VersionForm(posted(request)[0])
        _, status = run_form(
            form,
            lambda given: environments.record_version(environment, by=request.user, **given),
        )
        if status is None:
            messages.success(request, "Version recorded.")
            return redirect("applications:environment", code=code, env=env)
    return render(
        request,
        "dsl/environment.html",
        {
            "application": application,
            "environment": environment,
            "timeline": selectors.timeline(request.user, environment),
            "form": form,
            "may_manage": permissions.may_manage_master_data(request.user),
        },
        status=status,
    )
