"""The change models a fresh install starts with (seed 003: standard, normal and
emergency changes), written by the data migration and, being idempotent, by anything
that must be sure they are there (the demo data, the tests after a flush). A process
owner edits them afterwards."""

from django.apps import apps as installed_apps

CHANGE_MODELS = [
    # name, type, pre-authorised, lead time (days), decide within (hours), review required
    (
        "Standard change",
        "standard",
        True,
        1,
        0,
        False,
        "A routine, low-risk change with a known procedure: authorised by its model.",
    ),
    (
        "Normal change",
        "normal",
        False,
        5,
        0,
        False,
        "Reviewed, assessed and authorised by the change manager on the CAB's advice.",
    ),
    (
        "Emergency change",
        "emergency",
        False,
        0,
        4,
        True,
        "Made as soon as possible on the emergency CAB's advice; reviewed afterwards.",
    ),
]


def load_change_models(apps=None) -> None:
    ChangeModel = (apps or installed_apps).get_model("changes", "ChangeModel")
    for name, kind, pre, lead, within, review, text in CHANGE_MODELS:
        ChangeModel.objects.get_or_create(
            name=name,
            defaults={
                "change_type": kind,
                "pre_authorised": pre,
                "lead_time_days": lead,
                "decision_within_hours": within,
                "review_required": review,
                "description": text,
            },
        )
