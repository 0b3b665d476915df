from django.apps import AppConfig


class AftercareConfig(AppConfig):
    """What comes after go-live (seed 002 sections 5-7, seed 003 early life support):
    hypercare and its incidents, the post-release review, lessons learned and improvement
    actions."""

    name = "aftercare"
    verbose_name = "Hypercare and post-release review"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the release signals)
