"""Applications move from the DSL to the core: a release is a version of one, and every
room above refers to them. The table keeps its name."""

import django.db.models.deletion
from django.db import migrations, models

from releasemgmt.migration_helpers import move_content_type, state_only


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0002_release_schedule_and_rounds"),
        ("dsl", "0002_document_component"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name="Application",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    (
                        "code",
                        models.SlugField(
                            help_text="Short code used in release identifiers.",
                            max_length=30,
                            unique=True,
                        ),
                    ),
                    ("name", models.CharField(max_length=200)),
                    ("description", models.TextField(blank=True)),
                ],
                options={"db_table": "dsl_application", "ordering": ["code"]},
            ),
            migrations.AlterField(
                model_name="release",
                name="application",
                field=models.ForeignKey(
                    on_delete=django.db.models.deletion.PROTECT,
                    related_name="releases",
                    to="releases.application",
                ),
            ),
        ),
        move_content_type("application", "dsl", "releases"),
    ]
