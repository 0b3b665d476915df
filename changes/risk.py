"""The rules that turn answers into levels, in one place: the risk of a change from the
assessment questions (seed 003: assess and evaluate the change; ServiceNow's risk
assessment is the model users know) and its priority from impact and urgency (the ITIL
matrix). The risk is computed, never typed."""

from dataclasses import dataclass

from .models import Level, Priority


@dataclass(frozen=True)
class Question:
    key: str
    text: str
    #: (answer value, label, points)
    answers: tuple[tuple[str, str, int], ...]

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(value, label) for value, label, _ in self.answers]


QUESTIONS = (
    Question(
        "done_before",
        "Has a change like this been made successfully before?",
        (("often", "Yes, often", 0), ("once", "Once or twice", 1), ("never", "Never", 3)),
    ),
    Question(
        "tested",
        "Was it tested in an environment like production (pSAT, SAT)?",
        (("fully", "Fully", 0), ("partly", "Partly", 2), ("no", "No", 4)),
    ),
    Question(
        "backout",
        "Can it be backed out?",
        (
            ("tested", "Yes, with a tested back-out", 0),
            ("untested", "Yes, untested", 2),
            ("no", "No", 4),
        ),
    ),
    Question(
        "outage",
        "What service outage does it need?",
        (("none", "None", 0), ("partial", "Partial or degraded", 1), ("full", "Full outage", 3)),
    ),
    Question(
        "reach",
        "Whom does it reach?",
        (
            ("one", "One business thread", 0),
            ("several", "Several business threads", 1),
            ("all", "Every user, or traders and member states", 3),
        ),
    ),
)
QUESTION_KEYS = tuple(q.key for q in QUESTIONS)
#: the highest score still at a level: 0-3 low, 4-8 medium, 9 and more high
LOW_UP_TO, MEDIUM_UP_TO = 3, 8


def score(answers: dict) -> int:
    points = {q.key: {value: p for value, _, p in q.answers} for q in QUESTIONS}
    return sum(points[key][answers[key]] for key in QUESTION_KEYS)


def unanswered(answers: dict) -> list[str]:
    """The questions without a valid answer (their text), for a 409 that names them."""
    answers = answers or {}
    return [
        q.text for q in QUESTIONS if answers.get(q.key) not in {value for value, _, _ in q.answers}
    ]


def clean_answers(answers) -> dict:
    """The answers kept: known questions, known values; anything else is a ValueError
    naming the question."""
    if not isinstance(answers, dict):
        raise ValueError("Give the answers as an object: question -> answer.")
    kept = {}
    for key, value in answers.items():
        question = (
            next((q for q in QUESTIONS if q.key == key), None) if isinstance(key, str) else None
        )
        if question is None:
            raise ValueError(f"There is no risk question '{str(key)[:40]}'.")
        if value in ("", None):
            continue
        if not isinstance(value, str):
            raise ValueError(f"{question.text} Answer with one word.")
        if value not in {v for v, _, _ in question.answers}:
            allowed = ", ".join(v for v, _, _ in question.answers)
            raise ValueError(f"{question.text} Answer one of: {allowed}.")
        kept[key] = value
    return kept


def risk_level(answers: dict) -> str:
    """The risk level of complete answers."""
    total = score(answers)
    if total <= LOW_UP_TO:
        return Level.LOW
    if total <= MEDIUM_UP_TO:
        return Level.MEDIUM
    return Level.HIGH


#: ITIL: priority from impact and urgency
PRIORITY = {
    (Level.HIGH, Level.HIGH): Priority.CRITICAL,
    (Level.HIGH, Level.MEDIUM): Priority.HIGH,
    (Level.MEDIUM, Level.HIGH): Priority.HIGH,
    (Level.HIGH, Level.LOW): Priority.MODERATE,
    (Level.MEDIUM, Level.MEDIUM): Priority.MODERATE,
    (Level.LOW, Level.HIGH): Priority.MODERATE,
    (Level.MEDIUM, Level.LOW): Priority.LOW,
    (Level.LOW, Level.MEDIUM): Priority.LOW,
    (Level.LOW, Level.LOW): Priority.LOW,
}


def priority(impact: str, urgency: str) -> str:
    return PRIORITY[(Level(impact), Level(urgency))]
