"""The production shape on one machine: two app servers (gunicorn) on loopback behind
Debian's nginx with the production template (deploy/nginx.conf.template), one
PostgreSQL, sessions in the database, the DSL's files in an S3-compatible object store
(moto's server on loopback). What a user does through one node holds on the other."""

import base64
import hashlib
import os
import re
from collections import Counter

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

from tests import served
from tests.smtp import free_port

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")),
        reason="the production shape runs on PostgreSQL",
    ),
    pytest.mark.serial,  # two app servers and nginx: on its own, as production runs them
]

IDENTICAL_STEPS = 50


@pytest.fixture(scope="module")
def object_store():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    settings = {
        "S3_BUCKET": "two-nodes",
        "S3_ENDPOINT_URL": endpoint,
        "S3_ACCESS_KEY_ID": "nodes",
        "S3_SECRET_ACCESS_KEY": "nodes",
        "S3_REGION": "us-east-1",
    }
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="nodes",
        aws_secret_access_key="nodes",
        region_name="us-east-1",
    ).create_bucket(Bucket="two-nodes")
    yield settings
    server.stop()


@pytest.fixture(scope="module")
def nodes(tmp_path_factory, object_store):
    """Two nodes on one database and one object store, each with a media folder of its
    own (nothing may rely on a local file), behind nginx."""
    assert os.access(served.NGINX, os.X_OK), "nginx is installed by .ci/setup.sh"
    scratch = tmp_path_factory.mktemp("nodes")
    with served.database("postgresql", scratch, migrated=True) as url:
        shared = {**object_store, "SECRET_KEY": "two-nodes-one-secret"}
        envs = []
        for n in (1, 2):
            (scratch / f"node{n}").mkdir()
            envs.append(served.embedded_env(url, scratch / f"node{n}", **shared))
        seeded = served.call(envs[0], "tests.faults.burst:seed")
        with (
            served.serving(served.gunicorn, envs[0], scratch / "node1") as one,
            served.serving(served.gunicorn, envs[1], scratch / "node2") as two,
            served.balancing([one, two], scratch) as (balanced, access_log),
        ):
            yield {
                "nodes": [one, two],
                "balanced": balanced,
                "access_log": access_log,
                "env": envs[0],
                **seeded,
            }


def log_in(base: str, username: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    answer = session.post(
        f"{base}/login/",
        data={"username": username, "password": "pw", "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/login/"},
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, answer.text[:500]
    return session


def test_a_user_logged_in_on_one_node_works_on_the_other(nodes):
    one, two = nodes["nodes"]
    session = log_in(one, "rita")
    page = session.get(f"{two}/releases/{nodes['release']}/", timeout=60)
    assert page.status_code == 200
    assert nodes["release"] in page.text
    # A form served by one node is accepted by the other (one secret, one session store).
    token = session.cookies["csrftoken"]
    out = session.post(
        f"{two}/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{two}/"},
        allow_redirects=False,
        timeout=60,
    )
    assert out.status_code == 302
    assert session.get(f"{one}/releases/", allow_redirects=False, timeout=60).status_code == 302


def test_identical_steps_spread_over_both_nodes_have_exactly_one_winner(nodes):
    path = f"/api/v1/releases/{nodes['release']}/activities/RM.1.4/"
    before = nodes["access_log"].read_text().count("\n")
    answers = served.posts_at_once(
        nodes["balanced"], nodes["release_manager"], [(path, {})] * IDENTICAL_STEPS
    )
    assert Counter(status for status, _ in answers) == {200: 1, 409: IDENTICAL_STEPS - 1}
    lines = nodes["access_log"].read_text().splitlines()[before:]
    answered_by = Counter(line.split()[-1] for line in lines if path in line)
    assert set(answered_by) == {served.urlsplit(n).netloc for n in nodes["nodes"]}, answered_by
    after = served.call(nodes["env"], "tests.faults.burst:written", nodes["release"], "")
    assert after["stage"] == "receiving"
    assert (after["release_plans"], after["stage_receive"]) == (1, 1)


def test_a_file_stored_through_one_node_downloads_through_the_other(nodes):
    """RM.2.3 through node one; the same bytes, SHA-256 and digest header from node two."""
    one, two = nodes["nodes"]
    headers = {"Authorization": f"Token {nodes['release_manager']}"}
    identifier = nodes["release"]
    stage = served.call(nodes["env"], "tests.faults.burst:written", identifier, "")["stage"]
    assert stage == "receiving", "the release is received: the DSL takes components"
    content = os.urandom(3 * 1024 * 1024 + 17)
    stored = requests.post(
        f"{one}/api/v1/releases/{identifier}/actions/store-component/",
        data={"name": "ecs-core", "version": "3.2.0"},
        files={"file": ("ecs-core-3.2.0.jar", content, "application/java-archive")},
        headers=headers,
        timeout=120,
    )
    assert stored.status_code == 201, stored.text[:500]
    library = requests.get(f"{two}/api/v1/dsl/ecs/versions/", headers=headers, timeout=60)
    assert library.status_code == 200
    (version,) = library.json()["results"]
    (body,) = version["components"]
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    browser = log_in(two, "rita")
    for download in (
        browser.get(f"{two}{body['download']}", allow_redirects=False, timeout=120),
        requests.get(f"{two}/api/v1{body['download']}", headers=headers, timeout=120),
    ):
        assert download.status_code == 200
        assert hashlib.sha256(download.content).hexdigest() == body["sha256"]
        assert download.headers["Repr-Digest"] == f"sha-256=:{digest}:"
    for node in ("node1", "node2"):  # nothing was kept on a node's own disk
        media = nodes["env"]["MEDIA_ROOT"].replace("node1", node)
        kept = [p for p in served.Path(media).rglob("*") if p.is_file()]
        assert kept == [], kept


def test_mass_notification_progress_is_the_same_from_either_node(nodes):
    one, two = nodes["nodes"]
    headers = {"Authorization": f"Token {nodes['release_manager']}"}
    pk = served.call(nodes["env"], "tests.faults.nodes:half_sent", nodes["release"])["pk"]

    def progress():
        seen = [
            requests.get(f"{n}/api/v1/mass-notifications/{pk}/", headers=headers, timeout=60)
            for n in (one, two)
        ]
        assert [s.status_code for s in seen] == [200, 200]
        assert seen[0].json() == seen[1].json()
        return seen[0].json()

    first = progress()
    assert (first["sent"], first["failed"], first["total"]) == (40, 2, 100)
    served.call(nodes["env"], "tests.faults.nodes:finish", pk)
    last = progress()
    assert (last["sent"], last["status"]) == (98, "done")
