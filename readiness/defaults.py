"""The Move2Run checklists a fresh install starts from (seed 002 sections 2.2, 3 and 7;
seed 004 9.3): a major release checks every prerequisite of the run, a minor release
updates what exists, an emergency release secures the rollback and the service desk.
(title, priority, owner party, days before the planned installation)"""

from django.apps import apps as django_apps

AM, DC, SD = "ITSM Application Manager", "ITSM Deployment Coordinator", "ITSM Service Desk"
INFRA, CONF, RM = (
    "ITSM Infrastructure Manager",
    "ITSM Configuration Manager",
    "ITSM Release Manager",
)

DEFAULT_TEMPLATES = {
    "major": [
        ("Runbook V0 complete: key steps, contacts, rollback procedure", "high", AM, 10),
        ("Escalation matrix agreed with the service desk", "high", SD, 7),
        ("SLAs of the service defined", "high", AM, 10),
        ("Monitoring and alerting in place in production", "high", INFRA, 5),
        ("Rollback plan rehearsed", "high", DC, 5),
        ("Configuration items registered in the CMDB", "medium", CONF, 3),
        ("Support teams trained", "medium", SD, 5),
        ("Communication plan sent to users and stakeholders", "medium", RM, 3),
        ("User guides published in the knowledge base", "low", AM, 1),
    ],
    "minor": [
        ("Runbook updated for this version", "high", AM, 5),
        ("Rollback plan rehearsed", "high", DC, 3),
        ("Escalation matrix still right", "medium", SD, 3),
        ("Configuration items updated in the CMDB", "medium", CONF, 1),
        ("Knowledge base articles updated", "low", SD, 1),
    ],
    "emergency": [
        ("Rollback plan ready", "high", DC, 0),
        ("Service desk briefed on the fix", "medium", SD, 0),
        ("Runbook updated after the fix", "low", AM, 0),
    ],
}


def load_default_templates(apps) -> None:
    """Create the default templates where none exists (a data migration calls it)."""
    template_model = apps.get_model("readiness", "ChecklistTemplate")
    item_model = apps.get_model("readiness", "TemplateItem")
    party_model = apps.get_model("raci", "Party")
    parties = {p.name: p for p in party_model.objects.all()}
    for release_type, lines in DEFAULT_TEMPLATES.items():
        template, created = template_model.objects.get_or_create(release_type=release_type)
        if not created:
            continue
        for position, (title, priority, party, days) in enumerate(lines, start=1):
            if party in parties:
                item_model.objects.create(
                    template=template,
                    position=position,
                    title=title,
                    priority=priority,
                    owner_party=parties[party],
                    days_before_installation=days,
                )


def ensure_default_templates() -> None:
    """The default templates back after a test flushed the tables (as
    ``raci.loader.ensure_process_loaded`` does for Table 4-1)."""
    load_default_templates(django_apps)
