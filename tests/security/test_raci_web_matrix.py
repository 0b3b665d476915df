"""Table 4-1 through the web forms: each of the 24 activities' pages posted by a holder of
each of the 16 parties. Allowed (never 403) exactly for R and A, 403 otherwise; the page
itself offers the form exactly to R and A (the planning and roles forms answer 403 to
the others, an activity page stays readable to every party on the release)."""

import pytest
from django.test import Client

from raci.catalogue import party_names
from releases import registry
from tests.raci.conftest import holder_of
from tests.raci.test_matrix import CASES

from .conftest import People, new_user

pytestmark = pytest.mark.django_db

#: RM.1.1 and RM.1.2 have forms of their own; every other activity has its page.
OWN_FORMS = {"RM.1.1": "planning", "RM.1.2": "roles"}


@pytest.fixture(scope="module")
def matrix(module_db):
    """One planning-stage release and, per party, a client logged in as a user holding
    that party on it and nothing else. What a test's requests change is rolled back."""
    people = People.create()
    release = people.release(rfc=False, conformance_testing=True)
    clients = {}
    for name in party_names():
        clients[name] = Client()
        clients[name].force_login(holder_of(name, release, new_user, people.acme))
    return release, clients


def page_of(release, code):
    if code in OWN_FORMS:
        return f"/releases/{release.identifier}/{OWN_FORMS[code]}/"
    return f"/releases/{release.identifier}/activities/{code}/"


def offers_form(code, page) -> bool:
    if code in OWN_FORMS:
        return page.status_code == 200 and '<form method="post"' in page.content.decode()
    assert page.status_code == 200, page.status_code
    return f'<button type="submit">{registry.find(code).label}</button>' in page.content.decode()


def test_every_activity_has_a_web_form():
    codes = {code for code, _, _ in CASES}
    assert codes == {s.code for s in registry.performed_by_form()} | set(OWN_FORMS)


@pytest.mark.parametrize(("code", "party_name", "letters"), CASES)
def test_web_form_allows_exactly_r_and_a(code, party_name, letters, matrix):
    release, clients = matrix
    client = clients[party_name]
    path = page_of(release, code)
    allowed = "R" in letters or "A" in letters

    page = client.get(path)
    if code in OWN_FORMS and not allowed:
        assert page.status_code == 403
    assert offers_form(code, page) is allowed
    if not allowed and code not in OWN_FORMS:
        assert f"Only the parties Responsible or Accountable for {code}" in page.content.decode()

    response = client.post(path, {})
    if allowed:
        assert response.status_code in (200, 302, 400, 409), response.status_code
    else:
        assert response.status_code == 403
