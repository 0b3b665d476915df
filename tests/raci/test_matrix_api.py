"""The 24 x 16 RACI matrix through the API: each activity attempted by a user of each
party; allowed (never 403) exactly for R and A, 403 otherwise. What a case changes is
rolled back before the next one."""

import pytest
from django.contrib.auth import get_user_model

from tests.raci.test_matrix import CASES

pytestmark = pytest.mark.django_db


def attempt(client, release, code):
    base = f"/api/v1/releases/{release.identifier}/"
    if code == "RM.1.1":
        return client.patch(base, {}, format="json")
    if code == "RM.1.2":
        return client.post(f"{base}assign-roles/", {}, format="json")
    return client.post(f"{base}activities/{code}/", {}, format="json")


@pytest.mark.parametrize(("code", "party_name", "letters"), CASES)
def test_api_allows_exactly_r_and_a(code, party_name, letters, holders, api):
    release, users = holders
    # afresh, so that nothing an earlier case cached on the user carries over
    user = get_user_model().objects.get(pk=users[party_name].pk)
    response = attempt(api(user), release, code)
    if "R" in letters or "A" in letters:
        assert response.status_code != 403, response.json()
        assert response.status_code in (200, 400, 409)
    else:
        assert response.status_code == 403, response.json()
