from django.db import migrations

from readiness.defaults import load_default_templates


def load(apps, schema_editor):
    load_default_templates(apps)


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial"), ("raci", "0005_waivable_activities")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
