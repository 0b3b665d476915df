"""The API's release list writes its rows from values (``releases.api.serializers.
release_rows``, issue 17): every row is what ``ReleaseSerializer`` writes of the release,
in any time zone, with or without a coordinator; and the list still filters, counts and
refuses a bad filter as before."""

import datetime

import pytest
from django.utils import timezone

from releases import selectors
from releases.api.serializers import RELEASE_ROW, ReleaseSerializer, release_rows
from releases.models import Release


@pytest.mark.parametrize("zone", ["Europe/Brussels", "UTC", "Pacific/Kiritimati"])
def test_each_row_is_what_the_serializer_writes(make_release, release_manager, zone):
    make_release(name="Ünïcode ✓ release", description="Line one\nline two")
    make_release(assign=False)  # no coordinator
    Release.objects.filter(pk=make_release().pk).update(
        updated_at=datetime.datetime(2027, 6, 30, 23, 59, 59, 999999, tzinfo=datetime.UTC)
    )
    releases = selectors.release_list(release_manager).order_by("identifier")
    with timezone.override(zone):
        expected = ReleaseSerializer(releases, many=True).data
        written = release_rows(releases.values(*RELEASE_ROW.values()))
    assert written == [dict(row) for row in expected]
    assert list(written[0]) == list(ReleaseSerializer.Meta.fields)
    assert {row["coordinator"] for row in written} >= {None}


def test_the_list_pages_filters_and_refuses_as_before(api, make_release, release_manager):
    first = make_release(name="Alpha")
    make_release(name="Beta")
    client = api(release_manager)
    answer = client.get("/api/v1/releases/", {"q": "Alpha"})
    assert answer.status_code == 200
    assert answer.json()["count"] == 1
    assert [row["identifier"] for row in answer.json()["results"]] == [first.identifier]
    refused = client.get("/api/v1/releases/", {"stage": "nowhere"})
    assert refused.status_code == 400
    assert "stage" in refused.json()


@pytest.mark.parametrize("zone", ["Europe/Brussels", "UTC"])
def test_the_release_writes_its_activities_moments_as_drf_does(
    api, release_at, release_manager, zone
):
    from rest_framework import serializers

    release = release_at("receiving")
    with timezone.override(zone):
        answer = api(release_manager).get(f"/api/v1/releases/{release.identifier}/")
        written = {row["code"]: row["performed_at"] for row in answer.json()["activities"]}
        moment = serializers.DateTimeField()
        expected = {
            r.activity.code: moment.to_representation(r.performed_at) if r.performed_at else None
            for r in release.activity_records.select_related("activity")
        }
    assert written == expected
    assert any(written.values())
