"""What migrations share. A move of a model from one app to another is a change of the
project's state only: the table keeps its name (``db_table`` pinned), and the content
type follows, so that permissions and audit entries still point at the model. An index
only PostgreSQL holds (GiST over a range expression) is created there and skipped on
SQLite, the embedded default, which compares the ends of a window instead
(``releasemgmt.windows``)."""

from django.db import migrations


def move_content_type(model: str, source: str, target: str) -> migrations.RunPython:
    """Relabel the content type of ``model`` from app ``source`` to app ``target``."""

    def forward(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType")
        if not content_types.objects.filter(app_label=target, model=model).exists():
            content_types.objects.filter(app_label=source, model=model).update(app_label=target)

    def backward(apps, schema_editor):
        content_types = apps.get_model("contenttypes", "ContentType")
        if not content_types.objects.filter(app_label=source, model=model).exists():
            content_types.objects.filter(app_label=target, model=model).update(app_label=source)

    return migrations.RunPython(forward, backward, elidable=False)


def state_only(*operations) -> migrations.SeparateDatabaseAndState:
    """Operations on the project's state that leave the database as it is."""
    return migrations.SeparateDatabaseAndState(state_operations=list(operations))


def postgresql_index(name: str, table: str, definition: str) -> migrations.RunPython:
    """Create index ``name`` on ``table`` (``definition``: what follows ``ON table``) on
    PostgreSQL; drop it when reversed."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)
