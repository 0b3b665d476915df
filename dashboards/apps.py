from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """The pages that read every room: start pages, the decisions inbox (later the KPIs).
    It owns no records and writes nothing."""

    name = "dashboards"
