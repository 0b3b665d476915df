from django.apps import AppConfig


class KpisConfig(AppConfig):
    """The KPIs of the procedure (seed 002 section 5.3), the DORA keys and the flow of
    the process, computed from the records of every room."""

    name = "kpis"
    verbose_name = "KPIs"

    def ready(self):
        from . import (
            drill,  # noqa: PLC0415 - the release list learns the KPIs' filters
            receivers,  # noqa: F401, PLC0415 - the events that keep the facts
        )

        drill.register()
