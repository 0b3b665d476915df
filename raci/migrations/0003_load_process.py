"""Load parties, activities and Table 4-1 from raci/data into the database."""

from django.db import migrations


def load(apps, schema_editor):
    from raci.loader import load_process

    load_process(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("raci", "0002_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
