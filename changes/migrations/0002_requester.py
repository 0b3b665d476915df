from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("changes", "0001_initial")]

    operations = [migrations.RenameField("rfc", "created_by", "requester")]
