"""The audit trail becomes a hash chain (relais/privacy/chain.py): two columns, the existing rows chained in
the order they were written (their ids), then (0003) the link made unique so that the chain cannot fork."""

import django.utils.timezone
from django.db import migrations, models

from relais.privacy import chain


def chain_existing_rows(apps, schema_editor):
    event_model = apps.get_model("privacy", "AuditEvent")
    events = event_model.objects.using(schema_editor.connection.alias)
    previous = chain.GENESIS
    batch = []
    for row in events.order_by("pk").only("pk", *chain.CHAINED_FIELDS).iterator(chunk_size=2000):
        previous = chain.seal([row], previous)
        batch.append(row)
        if len(batch) >= 2000:
            events.bulk_update(batch, ["previous_hash", "hash"])
            batch = []
    if batch:
        events.bulk_update(batch, ["previous_hash", "hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("privacy", "0001_initial"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={
                "ordering": ["-at", "-id"],
                "permissions": [("search_auditevent", "Peut rechercher dans le journal d'audit (DPO)")],
                "verbose_name": "événement du journal",
                "verbose_name_plural": "journal d'audit",
            },
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(
                db_index=True, default=django.utils.timezone.now, editable=False, verbose_name="date"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="empreinte précédente"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="empreinte"),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
    ]
