"""A release walked to its closure through the API, with the mails its closure sent."""

import re

import pytest
from django.core import mail

from tests.lifecycle import install

#: the path of a personal link in a mail
LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")
CLOSURE = {"configuration_manager_informed": True, "deployment_plan_updated": True}


def links_in(message) -> list[str]:
    return LINK.findall(message.body)


def mail_to(user, subject="How satisfied are you"):
    """The last mail of that subject sent to ``user``."""
    return [m for m in mail.outbox if user.email in m.to and subject in m.subject][-1]


@pytest.fixture
def close(cast, django_capture_on_commit_callbacks):
    """Close an installed release (RM.6.5 to RM.6.7) with its mails sent."""

    def closing(release):
        install(cast, release, successful=True)
        cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
        cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSURE))
        release.refresh_from_db()
        assert release.stage == "closed"
        return release

    return closing


@pytest.fixture
def closed(release_at, close):
    """A release of thread A3/Cust (user ``cust``) carrying RfC-100 requested by the
    release manager, closed."""
    return close(release_at("installation"))
