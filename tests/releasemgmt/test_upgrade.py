"""A database of the previous layout migrates to the rooms of this one: applications,
subscribers and mass notifications change app by a change of state only, so their rows
stay where they are, and their content types follow (permissions and audit entries still
point at them). Run on a PostgreSQL database of its own, in processes of their own."""

import pytest
from django.db import connection

from tests.served import database, embedded_env, manage

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs the test PostgreSQL server"
)

#: each app as it was before applications, subscribers and mass notifications moved
BEFORE = [
    ("dsl", "0002_document_component"),
    ("notifications", "0002_mass_uncertain"),
    ("releases", "0002_release_schedule_and_rounds"),
    ("deployments", "0001_initial"),
]
SEED = """
from django.db import connection
with connection.cursor() as c:
    c.execute("INSERT INTO dsl_application (code, name, description) VALUES ('ecs', 'ECS', '')")
    c.execute("INSERT INTO notifications_subscriber (application_id, email, name, created_at) "
              "SELECT id, 'ann@example.org', 'Ann', now() FROM dsl_application")
    c.execute("SELECT app_label, model FROM django_content_type "
              "WHERE model IN ('application', 'subscriber') ORDER BY model")
    print(sorted(c.fetchall()))
"""
READ = """
from django.contrib.contenttypes.models import ContentType
from dsl.models import Subscriber
from releases.models import Application
s = Subscriber.objects.select_related("application").get()
labels = sorted(ContentType.objects.filter(model__in=["application", "subscriber"])
                .values_list("app_label", "model"))
print([s.email, s.application.code, Application.objects.count(), labels])
"""


def test_a_database_of_the_previous_layout_migrates_with_its_rows(transactional_db, tmp_path):
    with database("postgresql", tmp_path) as url:
        env = embedded_env(url, tmp_path)
        for app, migration in BEFORE:
            manage(env, "migrate", app, migration, "--noinput", "-v0")
        before = manage(env, "shell", "-v0", "-c", SEED).strip().splitlines()[-1]
        assert before == "[('dsl', 'application'), ('notifications', 'subscriber')]"
        manage(env, "migrate", "--noinput", "-v0")
        after = manage(env, "shell", "-v0", "-c", READ).strip().splitlines()[-1]
    assert after == (
        "['ann@example.org', 'ecs', 1, [('dsl', 'subscriber'), ('releases', 'application')]]"
    )
