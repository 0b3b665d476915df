import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "releasemgmt.settings.local")
application = get_wsgi_application()

from releasemgmt.runtime import settle_collector  # noqa: E402 -- needs the apps loaded

settle_collector()
