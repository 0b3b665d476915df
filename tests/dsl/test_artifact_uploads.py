"""DSL artifacts (RM.2.3) and documents: hashed as they stream in, stored by a move, and
capped by a limit of their own kind, with nothing kept of a refused upload."""

import hashlib
import os
from pathlib import Path

import pytest
from django.conf import settings

from dsl.models import Component, Document
from tests.lifecycle import upload


@pytest.fixture
def receiving(release_at):
    return release_at("receiving")


def store_component(cast, release, content, name="ecs-core.jar"):
    data = {"name": "ecs-core", "version": "3.2.0", "file": upload(name, content)}
    return cast.act(cast.rm, release, "store-component", data)


def files_under(folder) -> list[Path]:
    return [p for p in Path(folder).rglob("*") if p.is_file()]


def test_a_large_artifact_is_stored_with_the_digest_computed_on_arrival(cast, receiving):
    content = os.urandom(5 * 1024 * 1024 + 17)  # past FILE_UPLOAD_MAX_MEMORY_SIZE: on disk
    cast.ok(store_component(cast, receiving, content), 201)
    component = Component.objects.get(release=receiving, name="ecs-core")
    assert component.sha256 == hashlib.sha256(content).hexdigest()
    assert component.size == len(content)
    assert component.file.read() == content
    assert not files_under(settings.FILE_UPLOAD_TEMP_DIR)  # moved into place, not copied


def test_artifacts_and_documents_have_limits_of_their_own(cast, receiving, settings):
    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    settings.MAX_ARTIFACT_SIZE = 3 * 1024 * 1024
    two_mib = os.urandom(2 * 1024 * 1024)
    document = {"title": "Guide", "kind": "installation", "file": upload("guide.pdf", two_mib)}
    refused = cast.act(cast.dc, receiving, "store-document", document)
    assert refused.status_code == 400
    assert refused.json() == {"file": ["The file is larger than 1 MiB."]}
    assert not Document.objects.exists()

    cast.ok(store_component(cast, receiving, two_mib), 201)


def test_an_artifact_over_every_limit_is_refused_and_nothing_is_kept(cast, receiving, settings):
    settings.MAX_UPLOAD_SIZE = 1024 * 1024
    settings.MAX_ARTIFACT_SIZE = 3 * 1024 * 1024
    stored_before = files_under(settings.MEDIA_ROOT)
    refused = store_component(cast, receiving, os.urandom(4 * 1024 * 1024))
    assert refused.status_code == 400
    assert refused.json() == {"file": ["The file is larger than 3 MiB."]}
    assert not Component.objects.exists()
    assert files_under(settings.MEDIA_ROOT) == stored_before


def test_the_web_form_says_the_same(client, cast, receiving, settings):
    settings.MAX_ARTIFACT_SIZE = 1024 * 1024
    client.force_login(cast.rm)
    response = client.post(
        f"/releases/{receiving.identifier}/activities/RM.2.3/",
        {
            "action": "store-component",
            "name": "ecs-core",
            "version": "3.2.0",
            "file": upload("a.jar", b"x" * (2 << 20)),
        },
    )
    assert response.status_code == 400
    assert "The file is larger than 1 MiB." in response.content.decode()
    assert not Component.objects.exists()
