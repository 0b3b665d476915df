"""The writes of the KPI room: the quarterly review of the KPIs and the improvement
actions it decides (seed 002 section 6: "KPIs are reviewed quarterly to decide
improvement actions"). One transaction each; every write audited."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from releasemgmt.audit import services as audit

from .models import QuarterlyReview, QuarterlyReviewAction

#: the longest summary or decisions kept
TEXT_MAX = 100_000


def _text(field: str, value, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: what})
    if len(text) > TEXT_MAX:
        raise ValidationError({field: f"At most {TEXT_MAX} characters."})
    return text


def _state(review: QuarterlyReview) -> dict:
    """What the audit keeps of a review, before and after a write."""
    return {
        "held_on": review.held_on,
        "participants": sorted(review.participants.values_list("username", flat=True)),
        "summary": review.summary,
        "decisions": review.decisions,
    }


def _new_action(data: dict, held_on):
    """(title, owner, due date) of the action decided, None when none is; all three or
    none (400 naming the one missing)."""
    title = (data.get("action_title") or "").strip()
    owner, due = data.get("action_owner"), data.get("action_due_date")
    if not (title or owner or due):
        return None
    if not title:
        raise ValidationError({"action_title": "Say what is to be improved."})
    if len(title) > 200:
        raise ValidationError({"action_title": "At most 200 characters."})
    if owner is None or not owner.is_active:
        raise ValidationError({"action_owner": "Name an active user to own it."})
    if due is None:
        raise ValidationError({"action_due_date": "When is it due?"})
    if due < held_on:
        raise ValidationError({"action_due_date": "Due on or after the review."})
    return title, owner, due


@transaction.atomic
def record_quarterly_review(
    period, *, by, held_on, summary, decisions, participants=(), **action
) -> QuarterlyReview:
    """The release manager records the quarter's review (seed 002 section 6), or
    updates it: the same quarter has one review. Held once the quarter has begun, and not
    later than today. With a new action, it is created with the review."""
    if not raci.may_record_quarterly_review(by):
        raise PermissionDenied("Only the release manager records the quarterly review.")
    if held_on is None:
        raise ValidationError({"held_on": "When was the review held?"})
    if held_on < period.start:
        raise ValidationError({"held_on": "A review is held once its quarter has begun."})
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": "Record the review once it is held."})
    values = {
        "held_on": held_on,
        "summary": _text("summary", summary, "Write what the review found."),
        "decisions": _text("decisions", decisions, "Write what the review decided."),
    }
    decided = _new_action(action, held_on)
    review = QuarterlyReview.objects.select_for_update().filter(quarter_start=period.start).first()
    before = _state(review) if review else {}
    if review is None:
        review = QuarterlyReview(
            quarter_start=period.start, recorded_by=by, recorded_at=timezone.now()
        )
    for field, value in values.items():
        setattr(review, field, value)
    review.save()
    review.participants.set(participants)
    audit.record(
        actor=by,
        action="quarterly_review_updated" if before else "quarterly_review_recorded",
        obj=review,
        before=before,
        after=values | {"participants": sorted(p.username for p in participants)},
    )
    if decided:
        _add_action(review, by=by, title=decided[0], owner=decided[1], due_date=decided[2])
    return review


def _add_action(review, *, by, title, owner, due_date) -> QuarterlyReviewAction:
    action = QuarterlyReviewAction.objects.create(
        review=review, title=title, owner=owner, due_date=due_date, created_by=by
    )
    audit.record(
        actor=by,
        action="quarterly_action_added",
        obj=action,
        after={"title": title, "owner": owner.username, "due_date": due_date.isoformat()},
    )
    return action


@transaction.atomic
def set_quarterly_action_status(period, pk, *, by, status) -> QuarterlyReviewAction:
    """Its owner or the release manager marks an action of the quarter's review done (or
    open again); done says when."""
    action = (
        QuarterlyReviewAction.objects.select_for_update()
        .filter(review__quarter_start=period.start, pk=pk)
        .first()
    )
    if action is None:
        raise ValidationError({"action": "No such action of this quarter's review."})
    if action.owner_id != by.pk and not raci.may_record_quarterly_review(by):
        raise PermissionDenied("Only its owner or the release manager moves an action on.")
    if status not in QuarterlyReviewAction.Status.values:
        raise ValidationError({"status": "Open or done."})
    before = {"status": action.status}
    action.status = status
    action.done_at = timezone.now() if status == QuarterlyReviewAction.Status.DONE else None
    action.save(update_fields=["status", "done_at"])
    audit.record(
        actor=by,
        action="quarterly_action_moved",
        obj=action,
        before=before,
        after={"status": status},
    )
    return action
