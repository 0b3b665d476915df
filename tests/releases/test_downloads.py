"""The files kept for a release (DSL, reports, plans, decision evidence) download from the
release's pages and through the API, streamed, with the SHA-256 recorded at upload."""

import base64
import hashlib
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.lifecycle import upload
from tests.start import release_page


@pytest.fixture
def accepted(release_at):
    return release_at("acceptance")


def test_the_release_page_links_each_file_to_its_download(client, cast, accepted):
    client.force_login(cast.cust)
    page = release_page(client, accepted)
    links = re.findall(r'href="(/files/[a-z]+/\d+/)"', page)
    assert links, "the release page links no file"
    for link in links:
        response = client.get(link)
        assert response.status_code == 200, link
        assert response["Content-Disposition"].startswith("attachment; filename=")
        body = b"".join(response.streaming_content)
        digest = response["ETag"].strip('"')
        assert hashlib.sha256(body).hexdigest() == digest


def test_the_api_lists_the_files_of_a_release_and_serves_them(cast, accepted):
    api = cast.api(cast.dc)
    files = cast.ok(api.get(f"/api/v1/releases/{accepted.identifier}/files/"))
    kinds = {f["kind"] for f in files}
    assert {"component", "document", "environmentreport"} <= kinds
    component = next(f for f in files if f["kind"] == "component")
    response = api.get(f"/api/v1/files/component/{component['id']}/")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert hashlib.sha256(body).hexdigest() == component["sha256"]
    expected = base64.b64encode(bytes.fromhex(component["sha256"])).decode()
    assert response["Repr-Digest"] == f"sha-256=:{expected}:"


def test_decision_evidence_downloads_too(client, cast, accepted):
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, accepted, "submit-test-report", report), 201)
    mail = SimpleUploadedFile("go.eml", b"From: a3-cust\r\nSubject: GO pSAT\r\n\r\nGO")
    decision = cast.ok(
        cast.decide(
            cast.rm,  # on the thread's behalf, not by the report's submitter
            accepted,
            "psat",
            decided_by_name="Carla Cust",
            decided_at=timezone.now().isoformat(),
            evidence=mail,
            evidence_note="Mail of 25 January",
        ),
        201,
    )
    client.force_login(cast.rm)
    page = client.get(f"/releases/{accepted.identifier}/activities/RM.4.1/").content.decode()
    assert f'href="/files/decision/{decision["id"]}/"' in page
    response = client.get(f"/files/decision/{decision['id']}/")
    assert b"".join(response.streaming_content).endswith(b"GO")


def test_unknown_or_missing_files_are_404_and_anonymous_users_must_log_in(client, cast, api):
    client.force_login(cast.rm)
    assert client.get("/files/nosuchkind/1/").status_code == 404
    assert client.get("/files/component/999999/").status_code == 404
    client.logout()
    assert client.get("/files/component/1/").status_code == 302
    assert api().get("/api/v1/files/component/1/").status_code in (401, 403)
