"""Login throttling (django-axes): guessing passwords stops after a few tries, on the login
page and on the API token endpoint, without locking anyone else out."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(make_user):
    user = make_user("alice")
    user.set_password("right-password")
    user.save()
    return user


def guess(client, username, password, url="/login/"):
    return client.post(url, {"username": username, "password": password})


def test_five_wrong_passwords_lock_out_even_the_right_one(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = guess(client, "alice", "wrong")
        assert response.status_code == 200
        assert b"didn&#x27;t match" in response.content or b"didn't match" in response.content
    locked = guess(client, "alice", "wrong")
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content

    after = guess(client, "alice", "right-password")
    assert after.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_and_address(client, alice, make_user, settings):
    bob = make_user("bob")
    bob.set_password("bobs-password")
    bob.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        guess(client, "alice", "wrong")

    # Another user from the same address still gets in ...
    assert guess(Client(), "bob", "bobs-password").status_code == 302
    # ... and so does alice from another address.
    elsewhere = Client(REMOTE_ADDR="10.9.8.7")
    assert guess(elsewhere, "alice", "right-password").status_code == 302


def test_a_successful_login_resets_the_count(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        guess(client, "alice", "wrong")
    assert guess(client, "alice", "right-password").status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert guess(client, "alice", "wrong").status_code == 200
    assert guess(client, "alice", "right-password").status_code == 302


# Transactional: the endpoint runs outside the request transaction, and DRF marks the
# surrounding transaction for rollback on a 400, which a test-case transaction would be.
@pytest.mark.django_db(transaction=True)
def test_the_api_token_endpoint_is_throttled_too(client, alice, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = guess(client, "alice", "wrong", url="/api/v1/auth/token/")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()
    assert guess(client, "alice", "wrong", url="/api/v1/auth/token/").status_code == 429
    locked = guess(client, "alice", "right-password", url="/api/v1/auth/token/")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.json()["detail"]
    assert "token" not in locked.json()

    # The login page shares the count: the pair is locked there as well.
    assert guess(Client(), "alice", "right-password").status_code == 429
