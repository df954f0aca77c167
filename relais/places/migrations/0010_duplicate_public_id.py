from django.db import migrations

from relais.core.models import add_public_id_operations


class Migration(migrations.Migration):
    """The review queue reaches a possible duplicate by a random identifier, never by a sequential one."""

    dependencies = [("places", "0009_logo_and_documents")]

    operations = [*add_public_id_operations("places", "duplicatecandidate")]
