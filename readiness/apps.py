from django.apps import AppConfig


class ReadinessConfig(AppConfig):
    """Go-live readiness (seed 002 sections 2.2 and 3): the Move2Run checklist, the
    runbook and the Go/No-Go board that decide whether a release may go live (RM.6.2)."""

    name = "readiness"
    verbose_name = "Go-live readiness"

    def ready(self):
        from releasemgmt.accounts import personal_links
        from releases.lifecycle import register_activity_gate

        from . import gates, links, receivers  # noqa: F401  (connects the release signals)

        personal_links.register(links.CONFIRM_ITEM)

        register_activity_gate(gates.go_live_missing)
        register_activity_gate(gates.runbook_missing)
        register_activity_gate(gates.board_missing)
