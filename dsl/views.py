"""The DSL's pages: each application's library of versions (RM.2.3, RM.2.4) with its
archive and integrity checks, its impacted users (its subscribers), and the
configuration manager's tasks (RM.6.7)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from raci import permissions
from releasemgmt.paging import Counted
from releasemgmt.web import posted, run_form
from releases.models import Application

from . import configuration, selectors
from .forms import (
    ArchiveMediumForm,
    CITaskForm,
    RemoveSubscriberForm,
    SubscriberForm,
    SubscriberImportForm,
)
from .library import record_medium, verify_version
from .models import CIStatus, CITask
from .selectors import library_page, version_or_404
from .subscribers import (
    add_subscriber,
    import_subscribers,
    read_csv_upload,
    remove_subscriber,
    require_service_desk,
)


@login_required
def subscribers(request, code):
    """An application's impacted users: the list, their CSV import, one added or removed
    by hand (service desk). A refused form comes back with the reason on its field."""
    application = get_object_or_404(Application, code=code)
    if not permissions.may_see_subscribers(request.user):
        raise PermissionDenied("Only the service desk and the release managers see subscribers.")
    data, files = posted(request)
    form, add_form, remove_form = SubscriberImportForm(), SubscriberForm(), None
    report, status = None, None
    if request.method == "POST":
        require_service_desk(request.user)
        if "remove" in request.POST:
            remove_form = RemoveSubscriberForm(data)
            _, status = run_form(
                remove_form,
                lambda given: remove_subscriber(
                    application, by=request.user, email=given["remove"]
                ),
            )
        elif "email" in request.POST:
            add_form = SubscriberForm(data)
            added, status = run_form(
                add_form, lambda given: add_subscriber(application, by=request.user, **given)
            )
            if status is None:
                messages.success(request, f"{added.email} subscribed.")
        else:
            form = SubscriberImportForm(data, files)
            result, status = run_form(
                form,
                lambda given: import_subscribers(
                    application, by=request.user, text=read_csv_upload(given["file"])
                ),
            )
            if result:
                added, errors = result
                report = {"added": added, "errors": errors}
        if status is None and report is None:
            return redirect("dsl:subscribers", code=code)
    page = Paginator(application.subscribers.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "dsl/subscribers.html",
        {
            "application": application,
            "form": form,
            "add_form": add_form,
            "remove_form": remove_form,
            "report": report,
            "page": page,
            "may_import": permissions.may_send_mass_notifications(request.user),
        },
        status=status,
    )


@login_required
def libraries(request):
    """Every application, each leading to its DSL."""
    page = Paginator(Application.objects.all(), 100).get_page(request.GET.get("page"))
    return render(request, "dsl/libraries.html", {"page": page})


def _library(request, application, *, medium_form=None, medium_for="", status=None):
    page = library_page(request.user, application, request.GET.get("page"))
    return render(
        request,
        "dsl/library.html",
        {
            "application": application,
            "page": page,
            "medium_form": medium_form or ArchiveMediumForm(),
            "medium_for": medium_for,
            "may_verify": permissions.may_verify_library(request.user),
            "may_record_media": permissions.may_record_archive_media(request.user),
        },
        status=status,
    )


@login_required
def library(request, code):
    """RM.2.3, RM.2.4: every version of an application the user may see, with its
    components and documents, their checksums, its archive state and integrity findings."""
    return _library(request, get_object_or_404(Application, code=code))


@login_required
@require_POST
def verify(request, code, identifier):
    """The manual "verify now" of one version's stored files."""
    application = get_object_or_404(Application, code=code)
    release = version_or_404(request.user, application, identifier)
    findings = verify_version(release, by=request.user)
    if findings:
        messages.error(request, f"{len(findings)} file(s) of {identifier} differ from the record.")
    else:
        messages.success(request, f"Every stored file of {identifier} matches its SHA-256.")
    return redirect(f"{reverse('dsl:library', args=[code])}#v-{identifier}")


@login_required
@require_POST
def medium(request, code, identifier):
    """RM.2.4: Infra records where one medium of an archive is kept."""
    application = get_object_or_404(Application, code=code)
    version_or_404(request.user, application, identifier)
    form = ArchiveMediumForm(request.POST)
    _, status = run_form(
        form,
        lambda given: record_medium(application, identifier, by=request.user, **given),
    )
    if status is None:
        messages.success(request, f"Medium recorded for {identifier}.")
        return redirect(f"{reverse('dsl:library', args=[code])}#v-{identifier}")
    return _library(request, application, medium_form=form, medium_for=identifier, status=status)


# --- configuration management: the configuration manager's tasks (RM.6.7) --------------

#: the CI tasks of one page of the list (the bench's configuration manager has thousands)
TASKS_PER_PAGE = 50


@login_required
@require_GET
def ci_tasks(request):
    """The CI status changes that closed releases imply: those to confirm, or those
    confirmed (``?status=confirmed``), newest first, ``TASKS_PER_PAGE`` a page. Anything
    else asked for is the tasks to confirm."""
    status = request.GET.get("status")
    if status not in CITask.Status.values:
        status = CITask.Status.OPEN
    user = request.user
    paginator = Counted(
        selectors.ci_tasks(user, status=status),
        TASKS_PER_PAGE,
        lambda up_to: selectors.ci_task_count(user, up_to, status=status),
    )
    return render(
        request,
        "dsl/ci_tasks.html",
        {
            "page": paginator.get_page(request.GET.get("page")),
            "status": status,
            "statuses": CITask.Status.choices,
            "may_confirm": permissions.may_confirm_ci_changes(user),
        },
    )


@login_required
def ci_task(request, pk):
    """One release's proposed CI status changes: the configuration manager confirms them
    or amends some, saying why; each CI's history below. A refusal comes back on the
    form with what was chosen."""
    task = selectors.ci_task_or_404(request.user, pk)
    data, _ = posted(request)
    form = CITaskForm(data, task=task)
    status = None
    if request.method == "POST":
        configuration.require_configuration_manager(request.user)
        _, status = run_form(
            form,
            lambda given: configuration.confirm_ci_task(task, by=request.user, **form.confirmed()),
        )
        if status is None:
            messages.success(request, f"CI status changes of {task.release.identifier} confirmed.")
            return redirect("dsl:ci_task", pk=task.pk)
    rows = [(p, form[p.field_name]) for p in form.proposals]
    return render(
        request,
        "dsl/ci_task.html",
        {
            "task": task,
            "form": form,
            "rows": rows,
            "may_confirm": permissions.may_confirm_ci_changes(request.user)
            and task.status == CITask.Status.OPEN,
        },
        status=status,
    )


@login_required
@require_GET
def configuration_items(request, code):
    """The application's configuration items (seed 003: the CMDB's CIs of one service),
    each with its status; filter by status."""
    application = get_object_or_404(Application, code=code)
    status = request.GET.get("status", "")
    if status not in CIStatus.values:
        status = ""
    page = selectors.configuration_item_page(
        request.user, application, status=status, number=request.GET.get("page")
    )
    return render(
        request,
        "dsl/configuration_items.html",
        {"application": application, "page": page, "status": status, "statuses": CIStatus},
    )


@login_required
@require_GET
def configuration_item(request, pk):
    """One CI: its status history (who changed it, when, why, for which release) and the
    production baselines that held it (status accounting and audit, seed 003)."""
    return render(
        request,
        "dsl/configuration_item.html",
        {"item": selectors.configuration_item_or_404(request.user, pk)},
    )
