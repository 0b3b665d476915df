"""Who is told what (DESIGN section 5): addressees come from Table 4-1 and the release's
assignments, worked out here and only here; what is said is a template pair in
``templates/mail/`` (``<name>.subject.txt``, ``<name>.body.txt``) per Table 4-2 interface
and per kind of notice, rendered from the context the activity gives. The outbox keeps
and sends."""

from django.template import Context, Engine
from django.urls import reverse

from raci.models import Party, RaciCell
from raci.selectors import with_deputies
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication

from .selectors import holders_of

Kind = Communication.Kind


def holders(release, parties) -> list:
    """Active users holding any of ``parties`` on the release, and the deputy of each
    while one stands in for them (issue 16 point 4): the addressees."""
    return with_deputies(holders_of(release, parties))


def parties(*names: str):
    """The parties of Table 4-1 with these names."""
    return Party.objects.filter(name__in=names)


def parties_with(code: str, letter: str):
    """Parties holding ``letter`` for activity ``code`` in Table 4-1."""
    return Party.objects.filter(
        id__in=RaciCell.objects.filter(activity__code=code, letters__contains=letter).values(
            "party_id"
        )
    )


def business_threads(release):
    """The release's affected DG TAXUD business threads (RM.1.2)."""
    return Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD, assignments__release=release)


def assigned_parties(release):
    """Every party holding a role on the release: its stakeholders."""
    return Party.objects.filter(assignments__release=release).distinct()


def render_mail(name: str, context: dict) -> tuple[str, str]:
    """(subject, body) of mail ``name``: plain text, nothing escaped; the subject on one
    line."""
    engine = Engine.get_default()
    subject = engine.get_template(f"mail/{name}.subject.txt").render(
        Context(context, autoescape=False)
    )
    body = engine.get_template(f"mail/{name}.body.txt").render(Context(context, autoescape=False))
    return " ".join(subject.split()), body.strip() + "\n"


def communicate(
    release,
    code,
    *,
    by,
    mail: str,
    context=None,
    to,
    cc=(),
    interface="",
    kind=Kind.PROCESS,
    link=None,
    attachment=None,
    personal=None,
    reply_to="",
) -> Communication:
    """Record one communication of activity ``code`` to the holders of the ``to`` and
    ``cc`` parties on the release (a Table 4-2 interface when ``interface`` names one),
    saying what template ``mail`` says with ``context``, with an optional
    ``outbox.Attachment`` (a meeting request). ``personal`` (a purpose and its object)
    gives each addressee a personal link; ``reply_to`` an address the tool reads."""
    subject, body = render_mail(mail, {"release": release, "by": by, **(context or {})})
    return outbox.post(
        release=release,
        activity=code,
        kind=Kind.INTERFACE if interface else kind,
        interface=interface,
        subject=f"[{release.identifier}] {subject}",
        body=body,
        link=link or reverse("releases:detail", args=[release.identifier]),
        by=by,
        to_users=holders(release, to),
        cc_users=holders(release, cc),
        attachment=attachment,
        personal=personal,
        reply_to=reply_to,
    )


def inform(release, activity, *, by, outcome: str = "") -> Communication | None:
    """Tell every party marked I for the activity that it is done (Table 4-1)."""
    informed = parties_with(activity.code, "I")
    if not informed.exists():
        return None
    return communicate(
        release,
        activity.code,
        by=by,
        mail="informed",
        context={"activity": activity, "outcome": outcome},
        to=informed,
        kind=Kind.INFORMED,
    )
