from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render

from releasemgmt.forms import InputGuard
from releasemgmt.web import posted

from .models import Preference, Recipient


class PreferenceForm(InputGuard, forms.ModelForm):
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
