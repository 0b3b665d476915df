"""The DSL's pages: each application's impacted users (its subscribers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from raci import permissions
from releasemgmt.web import posted, run_form
from releases.models import Application

from .forms import RemoveSubscriberForm, SubscriberForm, SubscriberImportForm
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
