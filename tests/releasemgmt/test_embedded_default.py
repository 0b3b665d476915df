"""The embedded default (``make demo``): DEBUG only when a developer asks for it, so that
everyone else sees the site's own error pages; its static files served all the same
(runserver as the demo runs it); e-mail written where EMAIL_URL says."""

import json
import os
import re
import subprocess
import sys
import urllib.error
import urllib.request
from http.cookiejar import CookieJar
from urllib.parse import quote, urlencode

import pytest

from tests import served
from tests.waiting import PATIENCE

VISITOR, PASSWORD = "visitor", "a-visitor-password-1"


def in_local(code, **environment):
    """Run ``code`` with Django set up on ``settings.local`` under ``environment`` (and none
    of the suite's own variables); the JSON it prints."""
    env = {k: v for k, v in os.environ.items() if k not in served.NOT_INHERITED}
    env |= {"DJANGO_SETTINGS_MODULE": "releasemgmt.settings.local", **environment}
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=served.ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PATIENCE,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def local_settings(*names, **environment):
    """The values of settings ``names`` once ``settings.local`` is imported under
    ``environment``."""
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    return in_local(code, **environment)


def test_debug_is_off_on_the_embedded_default_unless_a_developer_asks():
    assert local_settings("DEBUG") == {"DEBUG": False}
    assert local_settings("DEBUG", DEBUG="true") == {"DEBUG": True}
    hosts = local_settings("ALLOWED_HOSTS")["ALLOWED_HOSTS"]
    assert {"localhost", "127.0.0.1"} <= set(hosts)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """``runserver`` on the embedded default's settings, DEBUG not set, and a SQLite file."""
    scratch = tmp_path_factory.mktemp("demo")
    with served.database("sqlite", scratch, migrated=True) as url:
        env = served.embedded_env(url, scratch)
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
        response = opener.open(url, data=data, timeout=PATIENCE)
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
        expected = {"css": "text/css", "js": "javascript", "svg": "image/svg+xml"}
        assert expected[asset.rsplit(".", 1)[-1]] in content_type, (asset, content_type)
        assert len(body) > 100, asset


FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
MAIL = ("EMAIL_BACKEND", "EMAIL_FILE_PATH")


def test_with_no_email_url_mail_is_written_under_var_mail():
    assert local_settings(*MAIL) == {
        "EMAIL_BACKEND": FILE_BACKEND,
        "EMAIL_FILE_PATH": str(served.ROOT / "var" / "mail"),
    }


def test_email_url_with_a_file_path_writes_the_mail_there(tmp_path):
    folder = tmp_path / "outgoing mail"
    url = f"filemail://{quote(str(folder))}"  # filemail:///tmp/.../outgoing%20mail
    assert local_settings(*MAIL, EMAIL_URL=url) == {
        "EMAIL_BACKEND": FILE_BACKEND,
        "EMAIL_FILE_PATH": str(folder),
    }
    sent = in_local(
        "import django, json; django.setup(); from django.core.mail import send_mail; "
        "print(json.dumps(send_mail('Hello', 'Body', 'a@example.org', ['b@example.org'])))",
        EMAIL_URL=url,
    )
    assert sent == 1
    (written,) = folder.iterdir()
    assert "Subject: Hello" in written.read_text()


def test_email_url_relative_to_the_project_and_other_schemes():
    assert local_settings("EMAIL_FILE_PATH", EMAIL_URL="filemail://var/outgoing") == {
        "EMAIL_FILE_PATH": str(served.ROOT / "var" / "outgoing")
    }
    smtp = local_settings(*MAIL, "EMAIL_HOST", "EMAIL_PORT", EMAIL_URL="smtp://mx.example.org:2525")
    assert smtp["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (smtp["EMAIL_HOST"], smtp["EMAIL_PORT"]) == ("mx.example.org", 2525)
