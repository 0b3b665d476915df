import pytest

from dsl.models import Subscriber


@pytest.fixture
def release_in_installation(release_at, application):
    """A release in RM.6 whose application has 450 subscribers (user0 to user449)."""
    release = release_at("installation")
    Subscriber.objects.bulk_create(
        Subscriber(application=application, email=f"user{i}@example.org") for i in range(450)
    )
    return release
