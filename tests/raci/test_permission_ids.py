"""The ids of the 'perform' permissions, kept by each process (issue 17), follow the
database: read again whenever migrations run, as a flushed test database makes its
permissions anew with other ids."""

from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.test.utils import CaptureQueriesContext

from raci import permissions
from raci.loader import load_process
from raci.models import Activity
from releases.selectors import waiting_for


def test_the_perform_ids_are_read_again_when_migrations_run(
    release_manager, make_release, monkeypatch
):
    release = make_release()
    monkeypatch.setattr(permissions, "_perform_ids", [-1])  # what an older database had
    assert not waiting_for(release_manager).filter(release=release).exists()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    made = Permission.objects.filter(
        content_type__app_label="releases", codename__startswith="perform_"
    )
    assert permissions.perform_permission_ids() == sorted(made.values_list("id", flat=True))
    assert len(permissions.perform_permission_ids()) == 24  # one per activity
    assert waiting_for(release_manager).filter(release=release).exists()


def test_the_activities_of_each_stage_are_read_again_when_the_process_is_loaded(
    release_manager, make_release, monkeypatch
):
    """The start page names each stage's activities by id (``activity_ids_by_stage``):
    kept from an older database, they find nothing; loading the process reads them
    again."""
    release = make_release()
    monkeypatch.setattr(permissions, "_stage_activities", {1: [-1]})
    assert not waiting_for(release_manager).filter(release=release).exists()
    load_process()
    by_stage = permissions.activity_ids_by_stage()
    assert sorted(pk for pks in by_stage.values() for pk in pks) == sorted(
        Activity.objects.values_list("id", flat=True)
    )
    assert by_stage[1] == list(
        Activity.objects.filter(stage=1).order_by("id").values_list("id", flat=True)
    )
    assert waiting_for(release_manager).filter(release=release).exists()


def test_after_the_process_is_loaded_the_first_request_asks_no_more_than_the_next(
    release_manager, make_release, client
):
    """Loading the process (a test database refilled after a flush, a changed Table 4-1)
    reads the kept ids again at once: the first page after it would otherwise ask the
    release's view permission one query more than the same page asks after it."""
    make_release()
    client.force_login(release_manager)
    load_process()
    counts = []
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/kpis/reviews/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
