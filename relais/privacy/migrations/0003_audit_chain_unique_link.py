"""One row per link: two rows after the same one would be a fork of the chain (its own transaction on
PostgreSQL, after the rows were chained by 0002)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0002_audit_hash_chain"),
    ]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(
                editable=False, max_length=64, unique=True, verbose_name="empreinte précédente"
            ),
        ),
    ]
