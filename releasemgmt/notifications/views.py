from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from dsl.models import Application
from raci import services as raci
from releasemgmt.errors import Conflict
from releasemgmt.forms import posted
from releases.selectors import visible_release_or_404
from releases.views import apply_errors

from . import mass
from .models import MassNotification, Preference, Recipient


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["email_informed"]


@login_required
def inbox(request):
    """Every mail the tool sent (or would have sent) to the user, newest first, with the
    user's choice of informational notices by e-mail."""
    preference, _ = Preference.objects.get_or_create(user=request.user)
    form = PreferenceForm(posted(request)[0], instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Your e-mail preference is saved.")
        return redirect("notifications:inbox")
    rows = (
        Recipient.objects.filter(user=request.user)
        .select_related("communication__release")
        # Ids follow creation: the (user, communication) index gives the newest 50
        # without sorting all of a busy user's rows.
        .order_by("-communication_id", "-id")
    )
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page, "form": form})


class SubscriberImportForm(forms.Form):
    file = forms.FileField(label="CSV file (columns: email,name)")


class MassNotificationForm(forms.Form):
    moment = forms.ChoiceField(choices=MassNotification.Moment.choices, widget=forms.RadioSelect)
    subject = forms.CharField(max_length=250)
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}))


def _read_csv(uploaded) -> str:
    if uploaded.size > settings.MAX_SUBSCRIBER_CSV_SIZE:
        limit = settings.MAX_SUBSCRIBER_CSV_SIZE // (1024 * 1024)
        raise ValidationError({"file": f"The file is larger than {limit} MiB."})
    try:
        return uploaded.read().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError({"file": "The file is not UTF-8 text."}) from exc


@login_required
def subscribers(request, code):
    """An application's impacted users: the list and its CSV import (service desk)."""
    application = get_object_or_404(Application, code=code)
    if not mass.may_see_subscribers(request.user):
        raise PermissionDenied("Only the service desk and the release managers see subscribers.")
    data, files = posted(request)
    form = SubscriberImportForm(data, files)
    report, status = None, 200
    if request.method == "POST" and request.POST.get("remove"):
        mass.require_service_desk(request.user)
        mass.remove_subscriber(application, by=request.user, email=request.POST["remove"])
        return redirect("notifications:subscribers", code=code)
    if request.method == "POST" and request.POST.get("email"):
        mass.require_service_desk(request.user)
        text = "email,name\n" + f"{request.POST['email']},{request.POST.get('name', '')}\n"
        _, errors = mass.import_subscribers(application, by=request.user, text=text)
        for error in errors:
            messages.error(request, error.replace("Line 2: ", ""))
        return redirect("notifications:subscribers", code=code)
    if request.method == "POST":
        mass.require_service_desk(request.user)
        if form.is_valid():
            try:
                added, errors = mass.import_subscribers(
                    application, by=request.user, text=_read_csv(form.cleaned_data["file"])
                )
            except ValidationError as exc:
                apply_errors(form, exc)
                status = 400
            else:
                report = {"added": added, "errors": errors}
        else:
            status = 400
    page = Paginator(application.subscribers.all(), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/subscribers.html",
        {
            "application": application,
            "form": form,
            "report": report,
            "page": page,
            "may_import": raci.holds_party(request.user, mass.SERVICE_DESK),
        },
        status=status,
    )


@login_required
def mass_notification(request, identifier):
    """The service desk's page for a release's mass e-mails: preview, count, send, progress."""
    release = visible_release_or_404(request.user, identifier)
    moment = request.GET.get("moment") or (
        "after" if release.notification_requests.filter(moment="after").exists() else "before"
    )
    subject, body = mass.default_message(release, moment)
    data, _ = posted(request)
    form = MassNotificationForm(data, initial={"moment": moment, "subject": subject, "body": body})
    status = 200
    if request.method == "POST":
        mass.require_service_desk(request.user)
        if form.is_valid():
            try:
                mass.send_mass_notification(release, by=request.user, **form.cleaned_data)
            except Conflict as exc:
                form.add_error(None, exc.message)
                status = 409
            else:
                messages.success(request, "Sending.")
                return redirect("notifications:mass", identifier=identifier)
        else:
            status = 400
    return render(
        request,
        "notifications/mass.html",
        {
            "release": release,
            "form": form,
            "audience": release.application.subscribers.count(),
            "sent": release.mass_notifications.all(),
            "may_send": raci.holds_party(request.user, mass.SERVICE_DESK),
            "may_see_subscribers": mass.may_see_subscribers(request.user),
        },
        status=status,
    )


@login_required
def mass_progress(request, pk):
    """The progress bar (polled by htmx until done)."""
    notification = get_object_or_404(MassNotification, pk=pk)
    visible_release_or_404(request.user, notification.release.identifier)
    return render(request, "notifications/_progress.html", {"n": notification})
