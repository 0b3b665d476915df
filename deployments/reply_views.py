"""The deployment coordinator's queue of replies the tool could not record (issue 16):
the list, one mail with its text and raw download, and the two ways out: record the
decision it carries on the thread's behalf (the mail as evidence), or dismiss it."""

import email
from email import policy

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from raci import permissions as raci
from raci.models import Party
from releasemgmt.forms import GuardedForm
from releasemgmt.web import run_form

from . import replies
from .models import Decision, InboundMail
from .replies import text_of
from .selectors import replies_waiting


def _require_coordinator(user):
    if not raci.may_handle_replies(user):
        raise PermissionDenied("The queue of replies is the deployment coordinator's.")


class RecordReplyForm(GuardedForm):
    """The decision a queued reply carries, recorded on the thread's behalf."""

    business_thread = forms.ModelChoiceField(
        queryset=Party.objects.none(), to_field_name="slug", label="Thread"
    )
    verdict = forms.ChoiceField(choices=[("", "— choose —"), *Decision.Verdict.choices])
    consequence = forms.ChoiceField(
        choices=[("", "—"), *Decision.Consequence.choices],
        required=False,
        help_text="After a NOGO on pSAT or SAT: what happens to the release.",
    )
    decided_by_name = forms.CharField(
        max_length=200, label="Decided by", help_text="Who at the thread decided."
    )

    def __init__(self, *args, mail: InboundMail | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if mail is not None and mail.request_id:
            self.fields["business_thread"].queryset = Party.objects.filter(
                kind=Party.Kind.BUSINESS_THREAD, assignments__release=mail.request.release
            ).distinct()


class DismissReplyForm(GuardedForm):
    reason = forms.CharField(max_length=1000, label="Why it is dismissed")


def _mail_or_404(pk) -> InboundMail:
    return get_object_or_404(
        InboundMail.objects.select_related("request__release", "sender_user", "decision"), pk=pk
    )


@login_required
@require_GET
def queue(request):
    _require_coordinator(request.user)
    return render(request, "deployments/replies.html", {"mails": replies_waiting()})


def _detail(request, mail, *, record_form=None, dismiss_form=None, status=200):
    text = text_of(_message(mail))
    return render(
        request,
        "deployments/reply.html",
        {
            "mail": mail,
            "text": text,
            "record_form": record_form or RecordReplyForm(mail=mail, initial=_initial(mail)),
            "dismiss_form": dismiss_form or DismissReplyForm(),
        },
        status=status,
    )


def _message(mail):
    with mail.raw.open("rb") as stored:
        return email.message_from_bytes(stored.read(), policy=policy.default)


def _initial(mail) -> dict:
    user = mail.sender_user
    return {"decided_by_name": (user.get_full_name() or user.get_username()) if user else ""}


@login_required
@require_GET
def reply(request, pk):
    _require_coordinator(request.user)
    return _detail(request, _mail_or_404(pk))


@login_required
@require_GET
def reply_raw(request, pk):
    _require_coordinator(request.user)
    mail = _mail_or_404(pk)
    return FileResponse(
        mail.raw.open("rb"),
        as_attachment=True,
        filename=f"reply-{mail.pk}.eml",
        content_type="message/rfc822",
    )


@login_required
@require_POST
def record(request, pk):
    _require_coordinator(request.user)
    mail = _mail_or_404(pk)
    form = RecordReplyForm(request.POST, mail=mail)
    decision, status = run_form(
        form, lambda data: replies.record_by_hand(mail, by=request.user, **data)
    )
    if decision:
        messages.success(request, f"Decision recorded: {decision.verdict_label}.")
        return redirect("deployments:replies")
    return _detail(request, mail, record_form=form, status=status)


@login_required
@require_POST
def dismiss(request, pk):
    _require_coordinator(request.user)
    mail = _mail_or_404(pk)
    form = DismissReplyForm(request.POST)
    done, status = run_form(
        form, lambda data: replies.dismiss(mail, by=request.user, reason=data["reason"])
    )
    if done:
        messages.success(request, "Mail dismissed.")
        return redirect("deployments:replies")
    return _detail(request, mail, dismiss_form=form, status=status)
