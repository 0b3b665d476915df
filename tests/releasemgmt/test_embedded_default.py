"""The embedded default (``make demo``): DEBUG only when a developer asks for it, so that
everyone else sees the site's own error pages; its static files served all the same
(runserver as the demo runs it)."""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import urlencode

import pytest

from tests import served

VISITOR, PASSWORD = "visitor", "a-visitor-password-1"


def local_settings(*names, **environment):
    """The values of settings ``names`` once ``settings.local`` is imported under
    ``environment`` (and none of the suite's own variables)."""
    env = {k: v for k, v in os.environ.items() if k not in served.NOT_INHERITED}
    env |= {"DJANGO_SETTINGS_MODULE": "releasemgmt.settings.local", **environment}
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=served.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_debug_is_off_on_the_embedded_default_unless_a_developer_asks():
    assert local_settings("DEBUG") == {"DEBUG": False}
    assert local_settings("DEBUG", DEBUG="true") == {"DEBUG": True}
    hosts = local_settings("ALLOWED_HOSTS")["ALLOWED_HOSTS"]
    assert {"localhost", "127.0.0.1"} <= set(hosts)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """``runserver`` on the embedded default's settings, DEBUG not set, and a SQLite file."""
    scratch = tmp_path_factory.mktemp("demo")
    with served.database("sqlite", scratch) as url:
        env = served.embedded_env(url, scratch)
        served.manage(env, "migrate", "--noinput", "-v0")
        served.manage(
            env,
            "shell",
            "-v0",
            "-c",
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_user({VISITOR!r}, 'v@example.org', {PASSWORD!r})",
        )
        with served.serving(served.runserver, env, scratch) as base:
            yield base


def browser():
    """A client that keeps its cookies and follows redirects, as a browser does."""
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def fetch(opener, url, data=None):
    """(status, content type, text) of ``url``, error statuses included."""
    try:
        response = opener.open(url, data=data, timeout=120)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.status, response.headers["Content-Type"], response.read().decode()


def signed_in(base):
    opener = browser()
    _, _, page = fetch(opener, f"{base}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"username": VISITOR, "password": PASSWORD, "csrfmiddlewaretoken": token}
    status, _, start = fetch(opener, f"{base}/login/", urlencode(form).encode())
    assert status == 200
    assert "Log out" in start or "logout" in start, start
    return opener


@pytest.mark.parametrize("path", ["/no-such-page/", "/releases/NO-SUCH-RELEASE/"])
def test_a_404_on_the_embedded_default_is_the_sites_own_page(demo_server, path):
    status, content_type, page = fetch(signed_in(demo_server), demo_server + path)

    assert status == 404
    assert content_type.startswith("text/html")
    assert "There is nothing here that you may see" in page
    for leak in ("URLconf", "Traceback", "DEBUG = True", "urlpatterns", "settings"):
        assert leak not in page


def test_the_embedded_default_serves_its_styles_and_scripts_with_debug_off(demo_server):
    _, _, page = fetch(browser(), f"{demo_server}/login/")
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert {"css", "js"} <= {asset.rsplit(".", 1)[-1] for asset in assets}, page

    for asset in assets:
        status, content_type, body = fetch(browser(), demo_server + asset)
        assert status == 200, asset
        expected = "text/css" if asset.endswith(".css") else "javascript"
        assert expected in content_type, (asset, content_type)
        assert len(body) > 100, asset
