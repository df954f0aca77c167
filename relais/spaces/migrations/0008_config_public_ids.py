from django.db import migrations

from relais.core.models import add_public_id_operations


class Migration(migrations.Migration):
    """The team's configuration pages reach prices, closures and qualifications by a random identifier, never
    by a sequential one."""

    dependencies = [("spaces", "0007_booking_price_audience")]

    operations = [
        *add_public_id_operations("spaces", "qualification"),
        *add_public_id_operations("spaces", "userqualification"),
        *add_public_id_operations("spaces", "pricerule"),
        *add_public_id_operations("spaces", "closure"),
    ]
