"""The permission resync after a change to Table 4-1 runs on a real Celery worker
through the test Redis broker."""

import os

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

from raci import permissions as raci
from raci import services as raci_services
from tests.conftest import party
from tests.waiting import wait_until

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis")


def test_matrix_change_is_applied_by_the_worker(redis_worker, make_release, make_user):
    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    release = make_release(threads=["a3-tax"])
    tax = make_user("tax", "DG TAXUD A3/Tax")
    assert not raci.may_perform(tax, release, "RM.3.1")

    from raci.models import Activity

    with transaction.atomic():
        raci_services.set_raci_cell(
            by=owner,
            activity=Activity.objects.get(code="RM.3.1"),
            party=party("a3-tax"),
            letters="R",
        )

    # The resync was queued on commit; the worker picks it up from Redis.
    def granted():
        tax.__dict__.pop("_release_perm_cache", None)
        return raci.may_perform(tax, release, "RM.3.1")

    wait_until(granted, "the worker to grant RM.3.1 to the thread")
