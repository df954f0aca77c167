from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RateCounter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("bucket", models.CharField(max_length=40)),
                ("key_hash", models.CharField(max_length=64)),
                ("window_start", models.DateTimeField()),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["window_start"], name="rate_counter_window")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("bucket", "key_hash", "window_start"), name="rate_counter_unique"
                    )
                ],
            },
        ),
    ]
