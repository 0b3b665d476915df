"""The DSL's files in an S3-compatible object store (issue 13 point 8), selected by the
production settings' environment variables: stored, downloaded in one streamed pass
with their digest, verified, and purged, against a real S3-speaking server on loopback
(moto's server: MinIO cannot be installed on this machine's package sources)."""

import base64
import hashlib
import os
import socket

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from dsl.models import Component, Document
from releasemgmt.settings.base import object_store
from tests.lifecycle import upload

pytestmark = pytest.mark.object_store
BUCKET = "releasemgmt-dsl"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_server, settings):
    """The production settings' object store, from the variables an operator sets."""
    given = {
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_ACCESS_KEY_ID": "testing",
        "S3_SECRET_ACCESS_KEY": "testing",
        "S3_REGION": "us-east-1",
    }
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = settings.STORAGES | {
        "default": object_store(lambda name, default=None: given.get(name, default))
    }
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_no_bucket_keeps_the_local_folder():
    assert object_store(lambda name, default=None: default) is None


def test_a_component_goes_to_the_bucket_and_comes_back_streamed(cast, release_at, bucket):
    content = os.urandom(6 * 1024 * 1024 + 5)  # past the in-memory size: a temporary file
    receiving = release_at("receiving")
    data = {"name": "ecs-core", "version": "9.0.0", "file": upload("ecs-core.jar", content)}
    cast.ok(cast.act(cast.rm, receiving, "store-component", data), 201)
    component = Component.objects.get(release=receiving, name="ecs-core")
    stored = bucket.get_object(Bucket=BUCKET, Key=component.file.name)["Body"].read()
    assert stored == content
    response = cast.api(cast.rm).get(f"/api/v1/files/component/{component.pk}/")
    assert response.status_code == 200
    assert response.streaming
    assert b"".join(response.streaming_content) == content
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    assert response["Repr-Digest"] == f"sha-256=:{digest}:"


def test_verify_and_purge_work_on_the_bucket(
    cast, make_release, make_user, bucket, django_capture_on_commit_callbacks
):
    make_user("ines", "ITSM Infrastructure Manager")
    make_user("conrad", "ITSM Configuration Manager")
    releases = []
    for n in range(4):
        release = make_release()
        data = {"title": "Guide", "kind": "installation", "file": upload("g.pdf", b"v%d" % n)}
        cast.ok(cast.act(cast.dc, release, "store-document", data), 201)
        releases.append(release)
    newest = releases[-1].documents.get()
    bucket.put_object(Bucket=BUCKET, Key=newest.file.name, Body=b"tampered")
    verify = f"/api/v1/dsl/ecs/versions/{releases[-1].identifier}/verify/"
    assert cast.ok(cast.api(cast.rm).post(verify))["findings"][0]["problem"] == "mismatch"

    oldest = releases[0].documents.get()
    media = f"/api/v1/dsl/ecs/versions/{releases[0].identifier}/media/"
    with django_capture_on_commit_callbacks(execute=True):
        for number in (1, 2):
            body = {"number": number, "location": "on_site"}
            cast.ok(cast.api(cast.rm).post(media, body, format="json"), 201)
    with pytest.raises(ClientError):
        bucket.head_object(Bucket=BUCKET, Key=oldest.file.name)
    oldest.refresh_from_db()
    assert oldest.purged_at is not None
    assert oldest.sha256 == hashlib.sha256(b"v0").hexdigest()
    assert Document.objects.filter(purged_at__isnull=True).count() == 3
