"""The RACI matrix's cases share one release and, per party, a user holding it."""

import pytest

from raci import sync
from raci.catalogue import party_names
from raci.models import Assignment
from tests.conftest import party
from tests.security.conftest import People, new_user


def holder_of(party_name, release, make_user, organisation):
    """A fresh user who holds ``party_name`` on ``release`` and nothing else."""
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


@pytest.fixture(scope="module")
def holders(module_db):
    """One release and, per party, a user holding that party on it and nothing else,
    made once for a module's 384 cases; what a case changes is rolled back."""
    people = People.create()
    release = people.release(rfc=False)
    return release, {
        name: holder_of(name, release, new_user, people.acme) for name in party_names()
    }
