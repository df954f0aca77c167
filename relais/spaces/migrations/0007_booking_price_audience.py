from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("spaces", "0006_public_ids"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="price_audience",
            field=models.CharField(
                blank=True,
                choices=[("all", "tout le monde"), ("member", "adhérents"), ("non_member", "non-adhérents")],
                max_length=12,
                verbose_name="tarif appliqué",
            ),
        ),
    ]
