"""Two posts of one personal link at once, on both databases the product runs on (the
app served by gunicorn, as in test_parallel_writes): one answer is recorded, the other
post is told the link was used already (409), never a 500 and never two answers."""

import http.client
import re
import threading
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

import pytest

from tests import served
from tests.waiting import PATIENCE, wait_until

from .test_parallel_writes import _databases

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module", params=_databases())
def app(request, tmp_path_factory):
    scratch = tmp_path_factory.mktemp(f"link-{request.param}")
    with served.database(request.param, scratch, migrated=True) as url:
        env = served.embedded_env(url, scratch)
        seeded = served.call(env, "tests.faults.links:seed")
        with served.serving(served.gunicorn, env, scratch) as base:
            yield {"url": base, "env": env, **seeded}


class Browser:
    """A session over plain HTTP: its cookies, kept from each answer."""

    def __init__(self, url):
        self.where = urlsplit(url)
        self.cookies = SimpleCookie()

    def connect(self):
        conn = http.client.HTTPConnection(self.where.hostname, self.where.port, timeout=PATIENCE)
        conn.connect()
        return conn

    def send(self, method, path, form=None, conn=None):
        conn = conn or self.connect()
        headers = {"Cookie": "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers |= {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"{self.where.scheme}://{self.where.netloc}{path}",
            }
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            text = response.read().decode(errors="replace")
            for value in response.headers.get_all("Set-Cookie") or []:
                self.cookies.load(value)
            return response.status, text
        finally:
            conn.close()

    def log_in(self, username):
        _, page = self.send("GET", "/login/")
        token = CSRF.search(page)[1]
        status, _ = self.send(
            "POST",
            "/login/",
            {"username": username, "password": "pw", "csrfmiddlewaretoken": token},
        )
        assert status == 302


def test_two_posts_of_one_link_at_once_record_one_answer(app):
    browser = Browser(app["url"])
    browser.log_in("cust")
    status, page = browser.send("GET", app["path"])
    assert status == 200
    token = CSRF.search(page)[1]
    answers = []
    barrier = threading.Barrier(2)

    def post(score):
        conn = browser.connect()
        barrier.wait(timeout=PATIENCE)
        form = {"score": str(score), "csrfmiddlewaretoken": token}
        answers.append(browser.send("POST", app["path"], form, conn=conn))

    threads = [threading.Thread(target=post, args=(s,), daemon=True) for s in (3, 9)]
    for thread in threads:
        thread.start()
    wait_until(lambda: not any(t.is_alive() for t in threads), "both answers", poll=0.05)

    assert sorted(status for status, _ in answers) == [302, 409], [s for s, _ in answers]
    refused = next(text for status, text in answers if status == 409)
    assert "Already answered on" in refused
    after = served.call(app["env"], "tests.faults.links:recorded")
    assert after["answers"] == 1
    assert after["used"] == 1
    assert after["score"] in (3, 9)
