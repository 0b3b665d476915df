import pytest

from releasemgmt.notifications.models import Subscriber
from tests.lifecycle import walk_to


@pytest.fixture
def release_in_installation(cast, make_release, approved_rfc, application):
    """A release in RM.6 whose application has 450 subscribers (user0 to user449)."""
    release = make_release(threads=["a3-cust"])
    cast.ok(cast.act(cast.rm, release, "include-rfc", {"rfc": "RFC-100"}, multipart=False), 201)
    walk_to(cast, release, "installation")
    Subscriber.objects.bulk_create(
        Subscriber(application=application, email=f"user{i}@example.org") for i in range(450)
    )
    return release
