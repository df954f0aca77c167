"""The « spaces » scope of API tokens becomes « spaces:read » and « spaces:write »: a token that had it keeps
every right it had (both)."""

from django.db import migrations


def split(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "scopes"):
        scopes = list(token.scopes or [])
        if "spaces" in scopes:
            scopes = sorted({s for s in scopes if s != "spaces"} | {"spaces:read", "spaces:write"})
            ApiToken.objects.filter(pk=token.pk).update(scopes=scopes)


def join(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    for token in ApiToken.objects.all().only("pk", "scopes"):
        scopes = list(token.scopes or [])
        if "spaces:read" in scopes or "spaces:write" in scopes:
            scopes = sorted({s for s in scopes if not s.startswith("spaces:")} | {"spaces"})
            ApiToken.objects.filter(pk=token.pk).update(scopes=scopes)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_user_public_id")]

    operations = [migrations.RunPython(split, join)]
