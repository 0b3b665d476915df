"""The DSL's pages: each application's impacted users (its subscribers)."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from raci import permissions
from releasemgmt.web import posted, run_form
from releases.models import Application

from .subscribers import (
    import_subscribers,
    read_csv_upload,
    remove_subscriber,
    require_service_desk,
)


class SubscriberImportForm(forms.Form):
    file = forms.FileField(label="CSV file (columns: email,name)")


@login_required
def subscribers(request, code):
    """An application's impacted users: the list and its CSV import (service desk)."""
    application = get_object_or_404(Application, code=code)
    if not permissions.may_see_subscribers(request.user):
        raise PermissionDenied("Only the service desk and the release managers see subscribers.")
    data, files = posted(request)
    form = SubscriberImportForm(data, files)
    report, status = None, None
    if request.method == "POST" and request.POST.get("remove"):
        require_service_desk(request.user)
        remove_subscriber(application, by=request.user, email=request.POST["remove"])
        return redirect("dsl:subscribers", code=code)
    if request.method == "POST" and request.POST.get("email"):
        require_service_desk(request.user)
        text = "email,name\n" + f"{request.POST['email']},{request.POST.get('name', '')}\n"
        _, errors = import_subscribers(application, by=request.user, text=text)
        for error in errors:
            messages.error(request, error.replace("Line 2: ", ""))
        return redirect("dsl:subscribers", code=code)
    if request.method == "POST":
        require_service_desk(request.user)
        result, status = run_form(
            form,
            lambda data: import_subscribers(
                application, by=request.user, text=read_csv_upload(data["file"])
            ),
        )
        if result:
            added, errors = result
            report = {"added": added, "errors": errors}
    page = Paginator(application.subscribers.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "dsl/subscribers.html",
        {
            "application": application,
            "form": form,
            "report": report,
            "page": page,
            "may_import": permissions.may_send_mass_notifications(request.user),
        },
        status=status,
    )
