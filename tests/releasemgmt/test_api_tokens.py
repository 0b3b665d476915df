"""API tokens: several per user, each expiring after API_TOKEN_TTL_HOURS, seen by their
owner (never the secret again) and revoked one by one or all at once, through the API
and on the account page."""

import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from releasemgmt.accounts.tokens import issue_token


def bearer(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_token_is_issued_listed_and_revoked(client, make_user):
    make_user("desk", "ITSM Service Desk")
    issued = client.post("/api/v1/auth/token/", {"username": "desk", "password": "pw"}).json()
    api = bearer(issued["token"])
    assert api.get("/api/v1/releases/").status_code == 200
    listed = api.get("/api/v1/auth/tokens/").json()
    assert [t["token_key"] for t in listed] == [issued["token_key"]]
    assert issued["token"] not in str(listed)
    assert api.delete(f"/api/v1/auth/tokens/{issued['token_key']}/").status_code == 204
    assert api.get("/api/v1/releases/").status_code == 401


def test_a_token_expires(make_user, settings):
    user = make_user("desk", "ITSM Service Desk")
    record, secret = issue_token(user)
    AuthToken.objects.filter(pk=record.pk).update(
        expiry=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert bearer(secret).get("/api/v1/releases/").status_code == 401


def test_the_lifetime_is_a_setting(make_user, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_TTL": datetime.timedelta(hours=2)}
    record, _ = issue_token(make_user("desk", "ITSM Service Desk"))
    left = record.expiry - timezone.now()
    assert datetime.timedelta(hours=1, minutes=59) < left <= datetime.timedelta(hours=2)


def test_the_account_page_shows_the_new_token_once_and_revokes_all(client, make_user):
    user = make_user("desk", "ITSM Service Desk")
    client.force_login(user)
    page = client.post("/account/tokens/new/", follow=True).content.decode()
    secret_shown = "Your new token" in page
    assert secret_shown
    assert "Your new token" not in client.get("/account/tokens/").content.decode()
    issue_token(user)
    assert AuthToken.objects.filter(user=user).count() == 2
    client.post("/account/tokens/all/revoke/")
    assert not AuthToken.objects.filter(user=user).exists()


@pytest.mark.parametrize("limit", [2])
@pytest.mark.django_db(transaction=True)  # the token endpoint runs outside a transaction
def test_a_user_keeps_a_bounded_number_of_tokens(make_user, settings, limit, api):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": limit}
    user = make_user("desk", "ITSM Service Desk")
    for _ in range(limit):
        issue_token(user)
    response = APIClient().post("/api/v1/auth/token/", {"username": "desk", "password": "pw"})
    assert response.status_code == 409
    assert AuthToken.objects.filter(user=user).count() == limit


@pytest.mark.parametrize(
    "secret",
    # a header reaches the application as Latin-1 (WSGI): each byte one character
    ["\x00", "ab\x00cd", "é" * 3, "\xff\xfe", "x" * 5000, "0" * 75, "ab\x7fcd"],
    ids=["NUL", "NUL inside", "Latin-1", "not UTF-8", "huge", "too long", "DEL"],
)
def test_a_token_no_one_could_have_made_is_refused_as_a_bad_token(make_user, secret):
    """A byte outside printable ASCII was decoded as UTF-8 or sent to PostgreSQL: a 500.
    The same 401 as a wrong token; a good token still works after them."""
    user = make_user("desk", "ITSM Service Desk")
    _, good = issue_token(user)
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    response = client.get("/api/v1/releases/")
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."
    assert bearer(good).get("/api/v1/releases/").status_code == 200
