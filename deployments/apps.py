from django.apps import AppConfig


class DeploymentsConfig(AppConfig):
    name = "deployments"

    def ready(self):
        from releasemgmt.accounts import personal_links

        from . import decision_links, receivers  # noqa: F401 (connects the receivers)

        personal_links.register(decision_links.DECISION)
