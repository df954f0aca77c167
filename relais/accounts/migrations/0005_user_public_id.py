from django.db import migrations

from relais.core.models import add_public_id_operations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_proposals_and_workflow")]

    operations = add_public_id_operations("accounts", "user")
