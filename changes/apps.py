from django.apps import AppConfig


class ChangesConfig(AppConfig):
    name = "changes"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the release signals)
