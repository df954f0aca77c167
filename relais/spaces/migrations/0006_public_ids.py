from django.db import migrations

from relais.core.models import add_public_id_operations


class Migration(migrations.Migration):
    dependencies = [("spaces", "0005_workflow_logs")]

    operations = [
        *add_public_id_operations("spaces", "resource"),
        *add_public_id_operations("spaces", "bookingseries"),
        *add_public_id_operations("spaces", "booking"),
        *add_public_id_operations("spaces", "waitlistentry"),
    ]
