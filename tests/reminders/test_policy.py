"""The offsets of the due dates are the application's release policy, set on its page and
through the API by the release manager; what is not a number of days within reason is
refused on its field, nothing saved (issue 16 point 3). Every class of hostile input,
lone surrogates included, goes to these fields in tests/security/test_hostile_input.py."""

import pytest

from releases.models import ReleasePolicy

FORM = {
    "types_on_breach": "refuse",
    "version_on_breach": "refuse",
    "frequency_on_breach": "warn",
    "windows_on_breach": "warn",
    "lead_on_breach": "warn",
}


def test_the_release_manager_sets_the_offsets_on_the_page(client, release_manager, application):
    client.force_login(release_manager)
    page = client.get("/policies/ecs/").content.decode()
    assert "Working days to decide" in page
    assert "Remind days before a due date" in page
    days = {"decision_days": "5", "authorisation_lead_days": "3", "remind_days_before": "1"}
    assert client.post("/policies/ecs/", FORM | days).status_code == 302
    saved = ReleasePolicy.objects.get(application=application)
    assert (saved.decision_days, saved.authorisation_lead_days) == (5, 3)
    assert (saved.after_installation_days, saved.remind_days_before) == (None, 1)


@pytest.mark.parametrize("value", ["91", "-1", "1e3", "9" * 30, "3\x00", "x" * 100_001, "2.5"])
def test_a_bad_offset_is_refused_on_its_field_nothing_saved(
    client, release_manager, application, value
):
    client.force_login(release_manager)
    response = client.post("/policies/ecs/", FORM | {"decision_days": value})
    assert response.status_code == 400
    assert response.context["form"].errors["decision_days"]
    assert not ReleasePolicy.objects.exists()


def test_the_api_refuses_a_bad_offset_naming_it(api, release_manager, application):
    client = api(release_manager)
    response = client.put("/api/v1/policies/ecs/", {"remind_days_before": 91}, format="json")
    assert response.status_code == 400
    assert "remind_days_before" in response.json()
    response = client.put("/api/v1/policies/ecs/", {"remind_days_before": 2**70}, format="json")
    assert response.status_code == 400
    assert not ReleasePolicy.objects.exists()
    response = client.put("/api/v1/policies/ecs/", {"decision_days": 4}, format="json")
    assert response.json()["decision_days"] == 4
