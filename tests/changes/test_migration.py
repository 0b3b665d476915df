"""RfCs of the first record migrate into the lifecycle with their rows (on SQLite and on
PostgreSQL, where a table cannot be altered in the transaction that filled it), and the
reference sequence starts after the numbers already taken."""

import os

import pytest

from tests.served import database, embedded_env, manage


def _kinds():
    kinds = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql")):
        kinds.append("postgresql")
    return kinds


SEED = """
from django.db import connection
from django.utils import timezone
now = timezone.now()
with connection.cursor() as c:
    c.execute(
        "INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, "
        "email, is_staff, is_active, date_joined) VALUES ('x', false, 'chris', '', '', "
        "'chris@example.org', false, true, %s)", [now])
    c.execute("SELECT id FROM accounts_user WHERE username = 'chris'")
    user = c.fetchone()[0]
    for reference, status, cab in [
        ("RFC-000007", "approved", "approved"),
        ("RFC-8", "submitted", "pending"),
        ("RFC-9", "rejected", "rejected"),
        ("RFC-10", "implemented", "approved"),
    ]:
        c.execute(
            "INSERT INTO changes_rfc (reference, title, status, cab_decision, complementary, "
            "created_by_id, created_at) VALUES (%s, 'Old', %s, %s, false, %s, %s)",
            [reference, status, cab, user, now])
print("seeded")
"""
READ = """
from changes.models import RfC
from changes import services
rows = sorted(RfC.objects.values_list("reference", "status", "change_model__name"))
print([rows, services.next_reference()])
"""


@pytest.mark.parametrize("kind", _kinds())
def test_rfcs_of_the_first_record_enter_the_lifecycle(transactional_db, tmp_path, kind):
    with database(kind, tmp_path) as url:
        env = embedded_env(url, tmp_path)
        manage(env, "migrate", "changes", "0001_initial", "--noinput", "-v0")
        manage(env, "migrate", "accounts", "--noinput", "-v0")
        assert manage(env, "shell", "-v0", "-c", SEED).strip().endswith("seeded")
        manage(env, "migrate", "--noinput", "-v0")
        after = manage(env, "shell", "-v0", "-c", READ).strip().splitlines()[-1]
    normal = "Normal change"
    assert after == str(
        [
            [
                ("RFC-000007", "authorised", normal),
                ("RFC-10", "implemented", normal),
                ("RFC-8", "submitted", normal),
                ("RFC-9", "rejected", normal),
            ],
            "RFC-000011",  # after the highest number any reference took
        ]
    )
