from django.apps import AppConfig


class RaciConfig(AppConfig):
    name = "raci"
    verbose_name = "RACI"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
