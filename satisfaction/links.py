"""The survey's personal link (``releasemgmt.accounts.personal_links``): what its page
shows, and the answer it records."""

from releasemgmt.accounts.personal_links import Purpose

from . import services
from .forms import AnswerForm


def _act(survey, *, by, data):
    return services.answer(survey, by=by, score=data["score"], comment=data.get("comment", ""))


def _title(survey) -> str:
    return f"Your satisfaction with release {survey.release.identifier}"


def _done_at(survey, user):
    survey.refresh_from_db(fields=["answered_at"])
    return survey.answered_at


SATISFACTION = Purpose(
    name=services.PURPOSE,
    form=AnswerForm,
    template="satisfaction/answer.html",
    done_template="satisfaction/thanks.html",
    act=_act,
    title=_title,
    done_at=_done_at,
)
