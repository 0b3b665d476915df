"""Release types and what each does to the path of a release (issue 12, point 5; seed
001 section 4.5, seed 003 on emergency changes). Major and minor releases follow RM.1 to
RM.7 as written. An emergency release is authorised by the emergency CAB, may waive the
activities the process owner marks waivable for it (``WaivableActivity``) and catches
them up after installation, tells its users with a shorter lead time, and is always
reviewed after it is installed. Plain data: the permission room, the releases and the
pages above all read it from here."""

from dataclasses import dataclass

from django.db import models


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    EMERGENCY = "emergency", "Emergency"


@dataclass(frozen=True)
class TypeRule:
    """What a release type changes in the path."""

    #: hours before the planned installation by which the impacted users are told (RM.6.1)
    notification_lead_hours: int
    #: its RfCs must be authorised, one of them by the emergency CAB, before RM.5 ends
    emergency_cab: bool
    #: not closed until a post-release review note is recorded
    post_release_review: bool
    #: the planning rules of an application's policy (lead time, frequency) apply
    planned_ahead: bool
    summary: str
    #: days of hypercare (early life support) after go-live, RM.6.5 (seed 002 section 5,
    #: seed 003 ELS); an application's policy may set its own
    hypercare_days: int = 7


RULES = {
    ReleaseType.MAJOR: TypeRule(
        120,
        False,
        False,
        True,
        "Follows RM.1 to RM.7; users told five days ahead.",
        hypercare_days=14,
    ),
    ReleaseType.MINOR: TypeRule(
        48, False, False, True, "Follows RM.1 to RM.7; users told two days ahead."
    ),
    ReleaseType.EMERGENCY: TypeRule(
        4,
        True,
        True,
        False,
        "Authorised by the emergency CAB; may waive the activities marked waivable and "
        "catches them up after installation; users told four hours ahead; always "
        "reviewed after installation.",
        hypercare_days=5,
    ),
}

#: what a fresh install lets an emergency release waive: the kick-off (RM.3.1, RM.3.2)
DEFAULT_WAIVABLE = {ReleaseType.EMERGENCY: ("RM.3.1", "RM.3.2")}


def rule(release_type: str) -> TypeRule:
    return RULES[ReleaseType(release_type)]
