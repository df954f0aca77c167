"""The models and their migrations agree: nothing is left for `makemigrations` to write."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, verbosity=1, stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Des changements de modèles n'ont pas de migration :\n{out.getvalue()}")
    assert "No changes detected" in out.getvalue()
