from django.db import migrations

from relais.core.models import add_public_id_operations


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]

    operations = add_public_id_operations("members", "member")
