"""CSRF protection on every URL of the project (walked from the resolver, so a new form
or endpoint is covered as it comes): with a logged-in session, a POST without the token
is refused with 403 before any view runs, and so are PUT, PATCH and DELETE on the API
(DRF's SessionAuthentication); the same requests with the token, or authenticated by an
API token instead of the session, are not refused for CSRF."""

import pytest
from django.db import transaction
from django.test import Client
from knox.models import AuthToken

from releases.models import Release

from .conftest import People
from .routes import category, routes, sample_path

pytestmark = pytest.mark.django_db

ROUTES = [r for r in routes() if category(r) is not None]
SECRET = "s3cr3tT0kenForTheCsrfTestsOnly12"  # a CSRF cookie secret: 32 letters and digits
UNSAFE_API_METHODS = ["post", "put", "patch", "delete"]


@pytest.fixture(scope="module")
def site(module_db):
    people = People.create()
    release = people.release()
    return people, release


def send(client, method, path, headers=None):
    """One request in a transaction of its own, as each request has in production (the
    token endpoint runs outside the request transaction)."""
    with transaction.atomic():
        if method in ("put", "patch"):
            return getattr(client, method)(
                path, "{}", content_type="application/json", headers=headers
            )
        return getattr(client, method)(path, headers=headers)


def refused_for_csrf(response) -> bool:
    """403 for CSRF: Django's failure page, or DRF's detail (its data, as an HTML
    renderer such as the API docs' does not print it). Any page of the site names the
    header its htmx requests carry (X-CSRFToken): the failure's own words count."""
    said = response.content.decode() + str(getattr(response, "data", ""))
    return response.status_code == 403 and (
        "CSRF verification failed" in said or "CSRF Failed" in said
    )


def session_client(user, with_token: bool) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    if with_token:
        client.cookies["csrftoken"] = SECRET
    return client


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.route)
def test_unsafe_request_without_csrf_token_is_refused(route, site):
    """Every pattern, forms and API alike: no token, no request."""
    people, release = site
    path = sample_path(route, identifier=release.identifier, pk=1, reference="RFC-1")
    methods = UNSAFE_API_METHODS if route.is_api else ["post"]
    without, with_token = (session_client(people.cast.rm, t) for t in (False, True))
    for method in methods:
        response = send(without, method, path)
        assert refused_for_csrf(response), (method, path, response.status_code)
        response = send(with_token, method, path, {"X-CSRFToken": SECRET})
        assert not refused_for_csrf(response), (method, path)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.is_api], ids=lambda r: r.route)
def test_api_token_authentication_needs_no_csrf_token(route, site):
    """An API client sends its token, not a cookie: CSRF does not apply to it."""
    people, release = site
    path = sample_path(route, identifier=release.identifier, pk=1, reference="RFC-1")
    token = AuthToken.objects.create(people.cast.rm)[1]
    client = Client(enforce_csrf_checks=True)
    for method in UNSAFE_API_METHODS:
        response = send(client, method, path, {"Authorization": f"Token {token}"})
        assert not refused_for_csrf(response), (method, path)
        assert response.status_code != 401, (method, path)


def test_session_api_change_needs_the_token_and_an_api_token_does_not(site):
    """The same planning change, three ways: refused without the CSRF token (nothing
    changed), done with it, and done with token authentication and no CSRF token."""
    people, release = site
    path = f"/api/v1/releases/{release.identifier}/"

    def name():
        return Release.objects.get(pk=release.pk).name

    response = send(session_client(people.cast.rm, False), "patch", path)
    assert refused_for_csrf(response)
    assert response.json()["detail"].startswith("CSRF Failed")

    client = session_client(people.cast.rm, True)
    with transaction.atomic():
        response = client.patch(
            path,
            {"name": "With the token"},
            content_type="application/json",
            headers={"X-CSRFToken": SECRET},
        )
    assert response.status_code == 200, response.content
    assert name() == "With the token"

    token = AuthToken.objects.create(people.cast.rm)[1]
    response = Client(enforce_csrf_checks=True).patch(
        path,
        {"name": "By API token"},
        content_type="application/json",
        headers={"Authorization": f"Token {token}"},
    )
    assert response.status_code == 200, response.content
    assert name() == "By API token"


def test_web_form_without_csrf_token_changes_nothing(site):
    """A forged planning form: 403 and the release as it was."""
    people, release = site
    client = session_client(people.cast.rm, False)
    response = client.post(
        f"/releases/{release.identifier}/planning/", {"name": "Forged", "description": "x"}
    )
    assert refused_for_csrf(response)
    assert b"CSRF verification failed" in response.content
    assert Release.objects.get(pk=release.pk).name == release.name
