"""Table 4-1 drives permissions: a user holding a party on a release may perform an
activity exactly when the party's cell holds R or A (24 x 16 = 384 cases)."""

import pytest

from raci import permissions as raci
from raci import sync
from raci.catalogue import activities, normalise_letters, party_names, raci_table
from raci.models import Assignment

CASES = [
    (row["activity"], name, normalise_letters(row[name]))
    for row in raci_table()[1]
    for name in party_names()
]


def holder_of(party_name, release, make_user, organisation):
    """A fresh user who holds ``party_name`` on ``release`` and nothing else."""
    from tests.conftest import party

    p = party(party_name)
    user = make_user()
    if p.kind == p.Kind.DEVELOPER:
        user.groups.add(organisation.group)
    elif p.holder == p.Holder.PERSON:
        Assignment.objects.create(release=release, party=p, user=user)
        sync.sync_release_permissions(release)
    else:
        user.groups.add(p.group)
        Assignment.objects.get_or_create(release=release, party=p, group=p.group)
        sync.sync_release_permissions(release)
    return user


def test_the_matrix_has_24_activities_and_16_parties():
    assert len(activities()) == 24
    assert len(party_names()) == 16
    assert len(CASES) == 384


@pytest.mark.parametrize(("code", "party_name", "letters"), CASES)
def test_engine_allows_exactly_r_and_a(
    code, party_name, letters, make_release, make_user, organisation
):
    release = make_release(threads=["a3-cust"])
    user = holder_of(party_name, release, make_user, organisation)
    allowed = "R" in letters or "A" in letters
    assert raci.may_perform(user, release, code) is allowed
