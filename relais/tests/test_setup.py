"""Set-up as a newcomer meets it: after `make run`, commands and tests work in the checkout without exporting
anything; a production server without a secret still refuses to start."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHECK = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"


def _clean_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in {"RELAIS_TESTING", "SECRET_KEY", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "relais.settings"
    env.update(extra)
    return env


def _run(code, env):
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)


def test_production_without_a_secret_refuses_to_start(tmp_path):
    result = _run(CHECK, _clean_env(RELAIS_ENV_FILE=str(tmp_path / "absent.env")))
    assert result.returncode != 0
    assert "SECRET_KEY doit être défini" in result.stderr


def test_the_development_file_written_by_make_install_is_enough(tmp_path):
    env_file = tmp_path / "dev.env"
    subprocess.run(["sh", "scripts/write-dev-env.sh", str(env_file)], cwd=ROOT, check=True)
    content = env_file.read_text()
    assert "DEBUG=1" in content
    assert "SECRET_KEY=" in content
    assert oct(env_file.stat().st_mode & 0o777) == "0o600"
    result = _run(CHECK, _clean_env(RELAIS_ENV_FILE=str(env_file)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    # Written once: a second run keeps the same secret (sessions survive a `make run`).
    subprocess.run(["sh", "scripts/write-dev-env.sh", str(env_file)], cwd=ROOT, check=True)
    assert env_file.read_text() == content


def test_the_environment_wins_over_the_development_file(tmp_path):
    env_file = tmp_path / "dev.env"
    subprocess.run(["sh", "scripts/write-dev-env.sh", str(env_file)], cwd=ROOT, check=True)
    result = _run(CHECK, _clean_env(RELAIS_ENV_FILE=str(env_file), DEBUG="0"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
