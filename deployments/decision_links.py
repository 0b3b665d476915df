"""The personal link of a mail that asks for a decision (issue 16): its page shows the
report or plan it rests on and offers GO and NOGO (approve, reject...) as two buttons,
so that a decision is two clicks from the mail; a NOGO after pSAT or SAT asks for its
consequence on the same page. A superseded request, or one the thread answered already,
says so and offers nothing."""

from django import forms

from raci.models import Party
from releasemgmt.accounts.personal_links import Purpose
from releasemgmt.forms import GuardedForm

from .models import Decision, DecisionRequest
from .services import decision_requests

#: the words of each verdict, per kind of decision (as the thread's own page says them)
WORDS = {
    Decision.Kind.INSTALLATION_PLAN: ("Approve", "Reject"),
    Decision.Kind.AUTHORISATION: ("Authorise the installation", "Refuse"),
    Decision.Kind.ROLLBACK: ("Validate the rollback", "Refuse the rollback"),
    Decision.Kind.CT_GO_AHEAD: ("GO: start the CT campaign", "NOGO"),
}
ASKS_CONSEQUENCE = (Decision.Kind.PSAT, Decision.Kind.SAT)


class DecisionLinkForm(GuardedForm):
    """GO or NOGO (the button pressed), the consequence of a NOGO after a test, and the
    thread, when the user holds several of the release."""

    verdict = forms.ChoiceField(choices=Decision.Verdict.choices)
    consequence = forms.ChoiceField(
        choices=[("", "—"), *Decision.Consequence.choices],
        required=False,
        label="After a NOGO",
        widget=forms.RadioSelect,
        help_text="A NOGO after pSAT or SAT sends the release back for a corrected "
        "delivery or cancels it: choose which.",
    )
    business_thread = forms.ModelChoiceField(
        queryset=Party.objects.none(), to_field_name="slug", required=False
    )

    def __init__(self, *args, target: DecisionRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = target
        threads = self.initial.get("threads") or []
        self.fields["business_thread"].queryset = Party.objects.filter(
            pk__in=[t.pk for t in threads]
        )
        self.several_threads = len(threads) > 1
        if not self.several_threads:
            self.fields["business_thread"].widget = forms.HiddenInput()
        if target is None or target.kind not in ASKS_CONSEQUENCE:
            del self.fields["consequence"]
        go, nogo = WORDS.get(target.kind if target else None, ("GO", "NOGO"))
        self.words = {"go": go, "nogo": nogo}
        self.situation, self.detail = self.initial.get("situation", ("open", None))

    def clean(self):
        data = super().clean()
        if (
            "consequence" in self.fields
            and data.get("verdict") == Decision.Verdict.NOGO
            and not data.get("consequence")
        ):
            self.add_error("consequence", "After a NOGO, choose: corrected delivery or cancel.")
        if self.several_threads and not data.get("business_thread"):
            self.add_error("business_thread", "Choose the thread you decide for.")
        return data


def _initial(request: DecisionRequest, user) -> dict:
    threads = decision_requests.threads_of(user, request)
    thread = threads[0] if len(threads) == 1 else None
    return {
        "threads": threads,
        "business_thread": thread.slug if thread else None,
        "situation": decision_requests.situation(request, thread),
    }


def _act(request: DecisionRequest, *, by, data):
    return decision_requests.decide(
        request,
        by=by,
        verdict=data["verdict"],
        consequence=data.get("consequence") or "",
        business_thread=data.get("business_thread"),
        channel=Decision.Channel.MAIL_LINK,
    )


def _title(request: DecisionRequest) -> str:
    return f"{request.get_kind_display()}: release {request.release.identifier}"


def _done_at(request: DecisionRequest, user):
    threads = decision_requests.threads_of(user, request)
    for thread in threads:
        state, decision = decision_requests.situation(request, thread)
        if state == "decided":
            return decision.recorded_at
    return None


DECISION = Purpose(
    name=decision_requests.PURPOSE,
    form=DecisionLinkForm,
    template="deployments/decision_link.html",
    done_template="deployments/decision_link_done.html",
    act=_act,
    title=_title,
    initial=_initial,
    done_at=_done_at,
)
