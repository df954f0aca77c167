from django.db import migrations


def load_vocabularies(apps, schema_editor):
    from relais.places.services import sync_vocabularies

    sync_vocabularies(
        {
            "typologies": apps.get_model("places", "Typology"),
            "services": apps.get_model("places", "Service"),
            "publics": apps.get_model("places", "Public"),
            "labels": apps.get_model("places", "Label"),
        }
    )


class Migration(migrations.Migration):
    dependencies = [("places", "0001_initial")]

    operations = [migrations.RunPython(load_vocabularies, migrations.RunPython.noop)]
