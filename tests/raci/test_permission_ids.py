"""The ids of the 'perform' permissions, kept by each process (issue 17), follow the
database: read again whenever migrations run, as a flushed test database makes its
permissions anew with other ids."""

from django.contrib.auth.models import Permission
from django.core.management.sql import emit_post_migrate_signal

from raci import permissions
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
