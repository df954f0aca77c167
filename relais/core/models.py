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


class RateCounter(models.Model):
    """How many times something was asked in a time window, for one key (an e-mail address, a client
    address), counted in the database so that every app server and worker sees the same count
    (`relais.core.ratelimit`). The key is stored as a keyed hash, never in clear."""

    bucket = models.CharField(max_length=40)
    key_hash = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "key_hash", "window_start"], name="rate_counter_unique")
        ]
        indexes = [models.Index(fields=["window_start"], name="rate_counter_window")]

    def __str__(self):
        return f"{self.bucket} {self.window_start:%Y-%m-%d %H:%M} : {self.count}"
