"""Lessons learned as knowledge (issue 14 point 3; seed 002 sections 5-6): written with
the post-release review, found again at ``/lessons/`` by text, application and tag
(PostgreSQL's full-text search through its GIN index; a simple contains on SQLite, the
embedded default), and shown when a later release of the same application is planned
(RM.1.1, RM.1.3): "what we learned last time"."""

import re

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Prefetch, Q
from django.db.models.expressions import RawSQL

from raci import permissions as raci
from releasemgmt.audit import services as audit
from releases.models import Application, Release
from releases.services import lock

from .models import Lesson, LessonTag, PostReleaseReview
from .services import REVIEWED_BY, _review_of, _text

#: the lessons a later release's planning pages show
LATEST_SHOWN = 3
#: a tag: letters, digits and - after a letter or digit, lower case
TAG = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
MAX_TAGS = 8
#: the lesson's text as PostgreSQL searches it: a column it keeps from the three fields,
#: which the GIN index reads (aftercare/migrations/0008_lessons_search_stored.py)
SEARCHED = "searched"


def parse_tags(text: str) -> list[str]:
    """'Testing, data migration' -> ['testing', 'data-migration'] (400 naming ``tags``)."""
    tags = []
    for raw in (text or "").split(","):
        tag = "-".join(raw.strip().lower().split())
        if not tag:
            continue
        if not TAG.match(tag):
            raise ValidationError(
                {"tags": "Tags are words of letters, digits and -, at most 40 each."}
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    return tags


@transaction.atomic
def add_lesson(release, *, by, what_happened, next_time, tags="") -> Lesson:
    """A lesson of the review, by the release manager who wrote it."""
    release = lock(release)
    raci.require_perform(by, release, REVIEWED_BY)
    review = _review_of(release)
    what_happened = _text("what_happened", what_happened, "Say what happened.")
    next_time = _text("next_time", next_time, "Say what to do next time.")
    names = parse_tags(tags)
    lesson = Lesson.objects.create(
        release=release,
        application_id=release.application_id,
        review=review,
        what_happened=what_happened,
        next_time=next_time,
        tags_text=", ".join(names),
        author=by,
    )
    LessonTag.objects.bulk_create(LessonTag(lesson=lesson, name=n) for n in names)
    audit.record(
        actor=by,
        action="lesson_recorded",
        obj=lesson,
        release=release,
        after={"what_happened": what_happened, "next_time": next_time, "tags": names},
    )
    return lesson


def _with_tags(lessons):
    return lessons.select_related("release", "application", "author").prefetch_related(
        Prefetch("tags", queryset=LessonTag.objects.order_by("name"))
    )


def search(user, *, q="", application="", tag=""):
    """The lessons of the releases the user may see, newest first, narrowed by text,
    application code and tag (a queryset: the page or the API pages it, counted by
    ``count``). Visibility is asked per lesson (``EXISTS``), so that PostgreSQL reads the
    newest lessons from their index and stops at the page: 60 -> 9 ms for a business
    thread at 100,000 releases."""
    lessons = _filtered(Lesson.objects.all(), q=q, application=application, tag=tag)
    if not raci.sees_all_releases(user):
        lessons = lessons.filter(raci.sees_release_of(user, "release_id"))
    return _with_tags(lessons.order_by("-created_at", "-id"))


def count(user, up_to: int, *, q="", application="", tag="") -> int:
    """How many lessons ``search`` finds, exactly up to ``up_to``, counted over the set of
    the user's releases (``IN``), which counts thousands of lessons four times faster than
    ``EXISTS``."""
    lessons = _filtered(Lesson.objects.all(), q=q, application=application, tag=tag)
    if not raci.sees_all_releases(user):
        visible = raci.visible_releases(user, Release.objects.all()).values("pk")
        lessons = lessons.filter(release_id__in=visible)
    return lessons.order_by()[: up_to + 1].count()


def _filtered(lessons, *, q, application, tag):
    if application:
        # the application's id asked first (a subquery PostgreSQL answers once): joined
        # by its code, the planner could not read the application's lessons from their
        # index beside the search's, and a thread's count read 34,698 matches of a common
        # word to keep one application's 3,485 (issue 17)
        code = Application.objects.filter(code=application).values("id")[:1]
        lessons = lessons.filter(application_id=code)
    if tag:
        lessons = lessons.filter(tags__name=tag.strip().lower())
    q = (q or "").strip()
    if q:
        if connection.vendor == "postgresql":
            match = RawSQL(
                f"{SEARCHED} @@ plainto_tsquery('english', %s)", [q], output_field=BooleanField()
            )
            lessons = lessons.filter(match)
        else:
            words = Q(what_happened__icontains=q) | Q(next_time__icontains=q)
            lessons = lessons.filter(words | Q(tags_text__icontains=q))
    return lessons


def latest_for(user, *, application_id, before=None, limit: int = LATEST_SHOWN) -> list:
    """The latest lessons of an application for the planning of its next release (not
    the release's own: ``before``)."""
    lessons = search(user).filter(application_id=application_id)
    if before is not None:
        lessons = lessons.exclude(release_id=before.pk)
    return list(lessons[:limit])


def of_review(review: PostReleaseReview | None) -> list:
    if review is None:
        return []
    return list(_with_tags(review.lessons.all()).order_by("created_at", "id"))
