"""Table 4-1 drives permissions: a user holding a party on a release may perform an
activity exactly when the party's cell holds R or A (24 x 16 = 384 cases)."""

import pytest

from raci import permissions as raci
from raci.catalogue import activities, normalise_letters, party_names, raci_table

pytestmark = pytest.mark.django_db

CASES = [
    (row["activity"], name, normalise_letters(row[name]))
    for row in raci_table()[1]
    for name in party_names()
]


def test_the_matrix_has_24_activities_and_16_parties():
    assert len(activities()) == 24
    assert len(party_names()) == 16
    assert len(CASES) == 384


@pytest.mark.parametrize(("code", "party_name", "letters"), CASES)
def test_engine_allows_exactly_r_and_a(code, party_name, letters, holders):
    release, users = holders
    allowed = "R" in letters or "A" in letters
    assert raci.may_perform(users[party_name], release, code) is allowed
