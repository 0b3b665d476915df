from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ReleasesConfig(AppConfig):
    name = "releases"

    def ready(self):
        # Every app's declarations in the activity registry (``<app>/activities.py``),
        # as the admin finds ``admin.py``.
        autodiscover_modules("activities")
        from . import types  # noqa: F401  (its closure gate joins the lifecycle's)
