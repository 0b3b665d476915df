"""The demo data, loaded once for every test of this folder: twice in a row (a second
load must change nothing), inside a transaction rolled back when the folder is done.
Each test reads it in its own savepoint, as it would right after ``load_demo`` on a fresh
database; loading it again for each test took most of the suite's time."""

import pytest
from django.core.management import call_command
from django.db import transaction


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo")
        call_command("load_demo")
        yield
        transaction.set_rollback(True)
