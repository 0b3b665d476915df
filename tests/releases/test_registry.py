"""The activity registry: every activity of section 4.4 is declared once, by the app
that owns it, with the stage the process text gives it; every activity page renders
for every party in every stage a release goes through."""

import pytest

from raci.catalogue import activities, raci_table
from raci.permissions import Parties
from releases import registry
from releases.stages import STAGE_OF_NUMBER


def test_every_activity_of_the_process_is_declared():
    assert [spec.code for spec in registry.all_activities()] == [a["code"] for a in activities()]


def test_an_activity_s_stage_is_the_process_text_s():
    for activity in activities():
        assert registry.stage_of(activity["code"]) == activity["stage"]
        assert registry.working_stage(activity["code"]) == STAGE_OF_NUMBER[activity["stage"]]


def test_every_action_belongs_to_a_declared_activity():
    declared = {spec.code for spec in registry.all_activities()}
    for action in registry.all_actions():
        assert {action.activity, *action.also_on} <= declared, action.slug


def test_an_activity_cannot_be_declared_twice_or_invented():
    with pytest.raises(ValueError, match="declared twice"):
        registry.register(registry.ActivitySpec("RM.2.1", "again"))
    with pytest.raises(ValueError, match="not an activity"):
        registry.register(registry.ActivitySpec("RM.9.9", "invented"))


def test_the_parties_the_code_names_are_columns_of_table_4_1():
    header, _ = raci_table()
    assert {p.value for p in Parties} <= set(header[2:])


@pytest.mark.parametrize(
    "stage", ["planning", "receiving", "kickoff", "acceptance", "authorisation", "installation"]
)
def test_every_activity_page_renders_in_every_stage(stage, client, cast, release_at):
    release = release_at(stage)
    for user in (cast.rm, cast.dc, cast.cust, cast.desk):
        client.force_login(user)
        for spec in registry.all_activities():
            response = client.get(f"/releases/{release.identifier}/activities/{spec.code}/")
            expected = 302 if spec.page else 200
            assert response.status_code == expected, (stage, user, spec.code)


def test_the_check_pages_render_after_a_failed_check(client, cast, release_at):
    """An inconsistent delivery (RM.2.1) and an incomplete one (RM.2.2) recorded: their
    pages show the checks, each with its own reason."""
    release = release_at("receiving")
    cast.ok(
        cast.perform(
            cast.dc, release, "RM.2.1", {"plan_completed": False, "missing": "The COTS licence"}
        )
    )
    cast.ok(cast.perform(cast.dc, release, "RM.2.2", {"missing_items": "ecs-web"}))
    for user in (cast.rm, cast.dc, cast.cust):
        client.force_login(user)
        for code, reason in (("RM.2.1", "The COTS licence"), ("RM.2.2", "ecs-web")):
            response = client.get(f"/releases/{release.identifier}/activities/{code}/")
            assert response.status_code == 200, (user, code)
            assert reason in response.content.decode()
