from django.apps import AppConfig


class SatisfactionConfig(AppConfig):
    """Stakeholder satisfaction after closure (seed 002 section 5.3, customer
    satisfaction): a short form each business thread and requester answers once, from a
    personal link."""

    name = "satisfaction"
    verbose_name = "Satisfaction"

    def ready(self):
        from releasemgmt.accounts import personal_links

        from . import links, receivers  # noqa: F401  (connects the release signals)

        personal_links.register(links.SATISFACTION)
