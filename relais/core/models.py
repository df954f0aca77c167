"""Model pieces shared by every app."""

import uuid

from django.db import models


class PublicId(models.Model):
    """A random identifier for the addresses and the API: a sequential id is never shown outside, since it
    would let anyone count the records or walk from one to the next. Look records up by `public_id`."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        abstract = True


def add_public_id_operations(app_label, model_name):
    """Migration operations giving the existing rows of `app_label.model_name` a unique `public_id`: the
    column is added empty, filled in batches, then made unique (a default alone would give every existing
    row the same value)."""
    from django.db import migrations

    def fill(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        batch = []
        for row in model.objects.filter(public_id__isnull=True).only("pk").iterator(chunk_size=2000):
            row.public_id = uuid.uuid4()
            batch.append(row)
            if len(batch) >= 2000:
                model.objects.bulk_update(batch, ["public_id"])
                batch = []
        if batch:
            model.objects.bulk_update(batch, ["public_id"])

    return [
        migrations.AddField(
            model_name=model_name, name="public_id", field=models.UUIDField(null=True, editable=False)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name=model_name,
            name="public_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
