"""The DSL per application (issue 13): every version with its files, the retention of
the documentation of the last versions (RM.2.4), the archive's two media, the purge that
keeps the metadata, and the integrity checks (RM.6.7)."""

import hashlib
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dsl.models import Archive, Document, IntegrityFinding
from dsl.tasks import verify_library_task
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from tests.lifecycle import upload


@pytest.fixture
def infra(make_user):
    return make_user("ines", "ITSM Infrastructure Manager")


@pytest.fixture
def config_manager(make_user):
    return make_user("conrad", "ITSM Configuration Manager")


def store_document(cast, release, content=None, title="Installation guide"):
    content = content or f"guide of {release.version}".encode()
    data = {"title": title, "kind": "installation", "file": upload("guide.pdf", content)}
    return cast.ok(cast.act(cast.dc, release, "store-document", data), 201)


@pytest.fixture
def four_versions(cast, make_release, infra, config_manager):
    """Four versions of ECS, each with its installation document, oldest first."""
    releases = []
    for _ in range(4):
        release = make_release()
        store_document(cast, release)
        releases.append(release)
    return releases


def versions(cast, user, query=""):
    return cast.ok(cast.api(user).get(f"/api/v1/dsl/ecs/versions/{query}"))


def stored(document) -> Path:
    return Path(settings.MEDIA_ROOT) / document.file.name


def test_the_fourth_version_archives_the_first_versions_documents(cast, four_versions, infra):
    first, *rest = four_versions
    body = versions(cast, cast.rm)
    assert body["retention"] == 3
    states = {v["identifier"]: v["state"] for v in body["results"]}
    assert states == {first.identifier: "archived"} | {r.identifier: "live" for r in rest}
    assert Archive.objects.get().release == first
    # Infra is asked to copy the archive to two media
    mail = Communication.objects.get(activity="RM.2.4", release=first)
    assert "two media" in mail.body
    assert list(mail.recipients.values_list("user__username", flat=True)) == ["ines"]
    # the archived file stays in storage until both media are recorded
    assert stored(first.documents.get()).exists()


def test_retention_is_per_application(cast, make_release, application):
    application.dsl_retention = 4
    application.save()
    for _ in range(4):
        store_document(cast, make_release())
    assert not Archive.objects.exists()


def test_the_dsl_page_lists_every_version_with_its_files_and_state(client, cast, four_versions):
    first, *_, newest = four_versions
    client.force_login(cast.rm)
    page = client.get("/dsl/ecs/").content.decode()
    assert "for the last <strong>3</strong> versions" in page
    assert f'id="v-{first.identifier}" class="dsl-version" data-state="archived"' in page
    assert f'id="v-{newest.identifier}" class="dsl-version" data-state="live"' in page
    document = newest.documents.get()
    assert document.sha256 in page
    assert "dave" in page
    assert page.index(newest.identifier) < page.index(first.identifier)  # newest first


def test_both_media_recorded_purge_the_files_and_keep_their_metadata(
    client, cast, four_versions, infra, django_capture_on_commit_callbacks
):
    first = four_versions[0]
    document = first.documents.get()
    path = stored(document)
    client.force_login(infra)
    url = f"/dsl/ecs/versions/{first.identifier}/media/"
    response = client.post(url, {"number": "1", "location": "on_site", "sent_to": ""})
    assert response.status_code == 302
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the files go once committed
        medium = cast.api(infra).post(
            f"/api/v1{url}",
            {"number": 2, "location": "sent", "sent_to": "DG TAXUD data centre"},
            format="json",
        )
    assert cast.ok(medium, 201)["sent_to"] == "DG TAXUD data centre"
    assert not path.exists()  # purged from storage
    document.refresh_from_db()
    assert document.purged_at is not None
    assert document.sha256 == hashlib.sha256(f"guide of {first.version}".encode()).hexdigest()
    assert document.size > 0
    assert document.filename.startswith("guide")
    state = {v["identifier"]: v for v in versions(cast, cast.rm)["results"]}[first.identifier]
    assert state["state"] == "purged"
    assert [m["number"] for m in state["media"]] == [1, 2]
    assert state["documents"][0]["sha256"] == document.sha256
    media = cast.ok(cast.api(cast.rm).get(f"/api/v1{url}"))
    assert [m["location"] for m in media] == ["on_site", "sent"]
    assert AuditEntry.objects.filter(action="archive_purged").count() == 1
    # a download of a purged file says where the media are
    gone = client.get(document.download_url)
    assert gone.status_code == 410
    assert "sent to DG TAXUD data centre" in gone.content.decode()
    assert "kept on site" in gone.content.decode()
    api_gone = cast.api(cast.rm).get(f"/api/v1/files/document/{document.pk}/")
    assert api_gone.status_code == 410, api_gone.content[:300]
    assert api_gone.json()["media"] == ["Medium 1: on site", "Medium 2: DG TAXUD data centre"]


def test_media_are_refused_with_the_reason(client, cast, four_versions, infra):
    first, second = four_versions[:2]
    api = cast.api(infra)
    url = f"/api/v1/dsl/ecs/versions/{first.identifier}/media/"
    no_one = api.post(url, {"number": 1, "location": "sent", "sent_to": "  "}, format="json")
    assert no_one.status_code == 400
    assert "sent_to" in no_one.json()
    bad = api.post(url, {"number": 3, "location": "on_site"}, format="json")
    assert bad.status_code == 400
    assert "number" in bad.json()
    cast.ok(api.post(url, {"number": 1, "location": "on_site"}, format="json"), 201)
    again = api.post(url, {"number": 1, "location": "on_site"}, format="json")
    assert again.status_code == 400
    assert "number" in again.json()
    live = f"/api/v1/dsl/ecs/versions/{second.identifier}/media/"
    refused = api.post(live, {"number": 1, "location": "on_site"}, format="json")
    assert refused.status_code == 409
    assert refused.json()["missing"] == ["archive"]
    denied = cast.api(cast.dc).post(url, {"number": 2, "location": "on_site"}, format="json")
    assert denied.status_code == 403
    # the web form keeps the input and names the field
    client.force_login(infra)
    page = client.post(
        f"/dsl/ecs/versions/{first.identifier}/media/",
        {"number": "2", "location": "sent", "sent_to": ""},
    )
    assert page.status_code == 400
    assert "Say to whom the medium was sent." in page.content.decode()
    assert first.dsl_archive.media.count() == 1


def test_a_changed_file_and_a_missing_one_are_found_and_mailed(
    client, cast, four_versions, config_manager
):
    changed = four_versions[3].documents.get()
    missing = four_versions[2].documents.get()
    stored(changed).write_bytes(b"tampered")
    stored(missing).unlink()
    assert verify_library_task.delay(limit=100).get() == 2
    findings = {f.file_id: f for f in IntegrityFinding.objects.all()}
    assert findings[changed.pk].problem == "mismatch"
    assert findings[changed.pk].found_sha256 == hashlib.sha256(b"tampered").hexdigest()
    assert findings[missing.pk].problem == "missing"
    mails = Communication.objects.filter(activity="RM.6.7")
    assert mails.count() == 2
    assert set(mails.values_list("recipients__user__username", flat=True)) == {"conrad"}
    client.force_login(config_manager)
    page = client.get("/dsl/ecs/").content.decode()
    assert "SHA-256 differs" in page
    assert "File missing" in page


def test_a_run_verifies_at_most_n_files_oldest_verified_first(cast, four_versions):
    assert verify_library_task(limit=3) == 0
    first_run = list(Document.objects.order_by("id"))
    assert [d.verified_at is not None for d in first_run] == [True, True, True, False]
    assert verify_library_task(limit=2) == 0
    second_run = list(Document.objects.order_by("id"))
    assert second_run[3].verified_at is not None  # never verified: first in line
    assert second_run[0].verified_at > first_run[0].verified_at  # then the oldest verified
    assert second_run[1].verified_at == first_run[1].verified_at


def test_verify_now_for_one_version_is_audited(client, cast, four_versions, config_manager):
    newest = four_versions[3]
    stored(newest.documents.get()).write_bytes(b"changed")
    client.force_login(config_manager)
    response = client.post(f"/dsl/ecs/versions/{newest.identifier}/verify/")
    assert response.status_code == 302
    assert IntegrityFinding.objects.get().release == newest
    assert AuditEntry.objects.filter(action="dsl_verified", release=newest).exists()
    api = cast.api(cast.rm).post(f"/api/v1/dsl/ecs/versions/{newest.identifier}/verify/")
    assert cast.ok(api)["findings"][0]["problem"] == "mismatch"
    denied = cast.api(cast.dc).post(f"/api/v1/dsl/ecs/versions/{newest.identifier}/verify/")
    assert denied.status_code == 403


def test_an_outsider_sees_no_version_of_another_thread(cast, make_user, four_versions):
    outsider = make_user("tess", "DG TAXUD A3/Tax")
    assert versions(cast, outsider)["count"] == 0
    hidden = cast.api(outsider).get(
        f"/api/v1/dsl/ecs/versions/{four_versions[0].identifier}/media/"
    )
    assert hidden.status_code == 404


def test_the_dsl_page_takes_as_many_queries_for_many_versions_as_for_few(
    client, cast, make_release
):
    client.force_login(cast.rm)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/dsl/ecs/").status_code == 200
        return len(ctx.captured_queries)

    for _ in range(4):
        store_document(cast, make_release())
    archived = Archive.objects.get().release
    cast.ok(
        cast.api(cast.rm).post(
            f"/api/v1/dsl/ecs/versions/{archived.identifier}/media/",
            {"number": 1, "location": "on_site"},
            format="json",
        ),
        201,
    )
    few = count()
    for _ in range(8):
        store_document(cast, make_release())
    assert Archive.objects.count() == 9
    assert count() == few
    with CaptureQueriesContext(connection) as ctx:
        versions(cast, cast.rm)
    assert len(ctx.captured_queries) <= few + 2
