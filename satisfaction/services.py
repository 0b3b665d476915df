"""The satisfaction survey after closure: who is asked, the answer, the one reminder.

Seed 002 section 5.3 measures the "Customer Satisfaction Score Regarding the Process" as
the average score of the satisfaction form, out of 10; seed 003 (deployment, closure)
asks to "capture experiences and feedback on customer, user and service provider
satisfaction". Each user of the release's business threads and each requester gets a
mail with a personal link (``releasemgmt.accounts.personal_links``) to a form of one
score and a comment."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from changes.models import RfC
from raci.models import Assignment, Party
from releasemgmt.accounts import personal_links
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.inputs import text_problem
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import render_mail
from releases.models import Release, Stage

from .models import Survey

#: the purpose of the personal links this room mails
PURPOSE = "satisfaction"
SCORES = range(0, 11)
COMMENT_LIMIT = Survey._meta.get_field("comment").max_length


def respondents(release) -> list[tuple[object, Party | None, bool]]:
    """(user, business thread or None, asked as a requester) for each person asked about
    the release: the active users of its business threads (RM.1.2: a thread's team, or a
    named person) and its requesters (who requested the RfCs it carries; who formalised it
    when it carries none). Someone both is asked once, for their thread."""
    User = get_user_model()
    rows = Assignment.objects.filter(
        release=release, party__kind=Party.Kind.BUSINESS_THREAD
    ).select_related("party")
    asked: dict[int, list] = {}
    for row in rows.order_by("party__position", "id"):
        people = (
            User.objects.filter(pk=row.user_id)
            if row.user_id
            else User.objects.filter(groups=row.group_id)
        )
        for user in people.filter(is_active=True).order_by("username"):
            asked.setdefault(user.pk, [user, row.party, False])
    requester_ids = set(
        RfC.objects.filter(release=release).values_list("requester_id", flat=True)
    ) or {release.created_by_id}
    for user in User.objects.filter(pk__in=requester_ids, is_active=True).order_by("username"):
        asked.setdefault(user.pk, [user, None, False])[2] = True
    return [tuple(entry) for entry in asked.values()]


def _mail(survey: Survey, *, mail: str, by) -> Communication:
    release = survey.release
    subject, body = render_mail(
        mail,
        {"release": release, "survey": survey, "by": by, "days": settings.PERSONAL_LINK_TTL_DAYS},
    )
    return outbox.post(
        release=release,
        activity="RM.6.7",
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{release.identifier}] {subject}",
        body=body,
        link=reverse("satisfaction:answer", args=[release.identifier]),
        by=by,
        to_users=[survey.respondent],
        personal=(PURPOSE, survey),
    )


def ask_after_closure(release: Release, *, by) -> list[Survey]:
    """After closure (the release moved to closed: RM.6.7, or RM.7.2 with conformance
    testing, or a failed release closed after its rollback), ask each respondent once.
    Runs in the transaction of the move; a second call asks nobody again."""
    if release.stage != Stage.CLOSED:
        return []
    already = set(Survey.objects.filter(release=release).values_list("respondent_id", flat=True))
    surveys = [
        Survey(release=release, respondent=user, thread=thread, requester=requester)
        for user, thread, requester in respondents(release)
        if user.pk not in already
    ]
    if not surveys:
        return []
    Survey.objects.bulk_create(surveys)
    made = list(
        Survey.objects.filter(release=release)
        .exclude(respondent_id__in=already)
        .select_related("release", "respondent", "thread")
    )
    for survey in made:
        _mail(survey, mail="satisfaction_survey", by=by)
    audit.record(
        actor=by,
        action="satisfaction_asked",
        obj=release,
        release=release,
        after={"respondents": sorted(s.respondent.get_username() for s in made)},
    )
    return made


def _check(score, comment: str) -> tuple[int, str]:
    errors = {}
    if score is None or score == "":
        errors["score"] = "Give a score from 0 to 10."
    else:
        try:
            score = int(score)
        except (TypeError, ValueError):
            score = None
        if score not in SCORES:
            errors["score"] = "The score is a whole number from 0 to 10."
    comment = comment or ""
    if problem := text_problem(comment, "Comment", multiline=True, max_length=COMMENT_LIMIT):
        errors["comment"] = problem
    if errors:
        raise ValidationError(errors)
    return score, comment.strip()


@transaction.atomic
def answer(survey: Survey, *, by, score, comment: str = "") -> Survey:
    """The respondent's answer, once: 0 to 10 and an optional comment. Only the
    respondent answers (403 for anyone else), and an answered survey stays as it is
    (409). Any mailed link still open is spent with it."""
    survey = Survey.objects.select_for_update().select_related("release").get(pk=survey.pk)
    if survey.respondent_id != by.pk:
        raise PermissionDenied("Only the person asked answers this survey.")
    if survey.answered_at:
        raise Conflict(
            f"Already answered on {timezone.localtime(survey.answered_at):%Y-%m-%d %H:%M}.",
            missing=["answered"],
        )
    score, comment = _check(score, comment)
    survey.score = score
    survey.comment = comment
    survey.answered_at = timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    audit.record(
        actor=by,
        action="satisfaction_answered",
        obj=survey,
        release=survey.release,
        after={"score": score, "comment": comment},
    )
    spend_links(survey, by)
    return survey


def spend_links(survey: Survey, user) -> None:
    """The links of the mails say the survey is answered from now on."""
    personal_links.spend(user, PURPOSE, survey)


def due_for_reminder(now=None):
    """Surveys owed, never reminded, asked ``SATISFACTION_REMINDER_DAYS`` ago or more."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SATISFACTION_REMINDER_DAYS)
    return Survey.objects.filter(
        Q(answered_at__isnull=True, reminded_at__isnull=True), asked_at__lte=cutoff
    )


def remind_owed(*, now=None, limit: int = 500) -> int:
    """One reminder to each respondent who has not answered after N days, never two: the
    survey is locked (others' locks skipped), marked reminded and its mail written in one
    transaction, so that two runs at once or a run again send nothing twice. The
    reminder's link supersedes the first one."""
    now = now or timezone.now()
    sent = 0
    for pk in list(
        due_for_reminder(now).order_by("asked_at", "id").values_list("pk", flat=True)[:limit]
    ):
        with transaction.atomic():
            survey = (
                due_for_reminder(now)
                .select_for_update(skip_locked=True, of=("self",))
                .select_related("release", "respondent")
                .filter(pk=pk)
                .first()
            )
            if survey is None:
                continue
            survey.reminded_at = now
            survey.save(update_fields=["reminded_at"])
            _mail(survey, mail="satisfaction_reminder", by=None)
            audit.record(
                actor=None,
                action="satisfaction_reminded",
                obj=survey,
                release=survey.release,
                after={"respondent": survey.respondent.get_username()},
            )
            sent += 1
    return sent
