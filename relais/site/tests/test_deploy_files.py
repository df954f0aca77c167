"""The files of deploy/ (systemd units, timers, jobs, nginx, environment) stay true to the code: every job
runs an existing command with options it has, every timer has its job, every variable of the example
environment is one the settings read, and that environment passes `check --deploy`."""

import re
import shlex
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import get_commands, load_command_class

from relais.core.tests.test_secure_production import run_manage

DEPLOY = Path(settings.BASE_DIR) / "deploy"


def job_commands():
    for job in sorted((DEPLOY / "jobs").iterdir()):
        for line in job.read_text().splitlines():
            if "manage.py" in line:
                words = shlex.split(line.replace('"$file"', "FILE"))
                yield job.name, words[words.index("manage.py") + 1 :]


@pytest.mark.parametrize("job,words", list(job_commands()), ids=lambda v: v if isinstance(v, str) else "")
def test_every_job_runs_a_command_with_options_it_has(job, words):
    name, *args = words
    commands = get_commands()
    assert name in commands, f"{job}: no command {name}"
    parser = load_command_class(commands[name], name).create_parser("manage.py", name)
    parser.parse_args(args)  # exits (fails the test) on an unknown option


def test_every_timer_has_its_job_and_every_job_its_timer():
    timers = {
        p.name.removeprefix("relais-job@").removesuffix(".timer")
        for p in (DEPLOY / "systemd").glob("*.timer")
    }
    jobs = {p.name for p in (DEPLOY / "jobs").iterdir()}
    assert timers == jobs


def test_the_example_environment_names_only_variables_the_settings_read():
    source = (Path(settings.BASE_DIR) / "relais" / "settings.py").read_text()
    names = re.findall(r"^([A-Z_]+)=", (DEPLOY / "relais.env.example").read_text(), re.M)
    unread = [n for n in names if f'"{n}"' not in source and n != "RELAIS_BACKUP_KEY"]
    assert not unread
    assert "RELAIS_BACKUP_KEY" in (
        Path(settings.BASE_DIR) / "relais" / "site" / "backup.py"
    ).read_text() or any(
        "RELAIS_BACKUP_KEY" in p.read_text()
        for p in (Path(settings.BASE_DIR) / "relais" / "site").glob("backup*.py")
    )


def test_the_example_environment_passes_check_deploy():
    env = dict(re.findall(r"^([A-Z_]+)=(.*)$", (DEPLOY / "relais.env.example").read_text(), re.M))
    env["SECRET_KEY"] = "x" * 10 + "Zq8LmW2xR8vT1yU6oP4aS5dF0gH3jK9bN7cV5xZ1qW"
    env["DATABASE_URL"] = "sqlite:////tmp/relais-check-deploy.sqlite3"
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
