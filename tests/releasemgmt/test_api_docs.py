"""The OpenAPI schema is valid; the docs work offline; token auth works."""

import io

from django.core.management import call_command


def test_schema_is_valid_openapi_3(db):
    out = io.StringIO()
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
    )
    assert '"openapi": "3.' in out.getvalue()


def test_schema_and_docs_are_served_with_local_assets(client, make_user):
    client.force_login(make_user("desk", "ITSM Service Desk"))
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in docs
    assert "cdn" not in docs.lower()


def test_token_authentication(client, make_user):
    from rest_framework.test import APIClient

    make_user("desk", "ITSM Service Desk")
    response = client.post("/api/v1/auth/token/", {"username": "desk", "password": "pw"})
    assert response.status_code == 200
    token = response.json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/releases/").status_code == 200
    api.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert api.get("/api/v1/releases/").status_code == 401
