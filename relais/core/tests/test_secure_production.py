"""The production configuration: `check --deploy` clean with the documented environment, a short secret
refused, the Content-Security-Policy on every page, the health check."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

PRODUCTION_ENV = {  # as docs/exploitation.md documents it
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "7f3Qz9LmW2xR8vT1yU6oP4aS5dF0gH3jK",
    "ALLOWED_HOSTS": "relais.example.org",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
}


def run_manage(*args, env=None):
    # Not the test session's own variables (DJANGO_ALLOW_ASYNC_UNSAFE is set by the browser tests).
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"RELAIS_TESTING", "DEBUG", "SECRET_KEY"} and not k.startswith("DJANGO_")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=base | {"RELAIS_ENV_FILE": os.devnull} | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_the_documented_environment():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_a_short_secret_is_refused_in_french():
    result = run_manage("check", env=PRODUCTION_ENV | {"SECRET_KEY": "trop-court"})
    assert result.returncode != 0 and "SECRET_KEY est trop court" in result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/lieux/", "/comptes/connexion/", "/maillage/"])
def test_every_page_has_a_policy_with_no_third_party_origin(client, path):
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert directives["script-src"].split()[0] == "'self'" and "unsafe-inline" not in policy
    for value in directives.values():
        for source in value.split():
            assert not source.startswith(("http:", "https:")) and "*" not in source, (path, source)


@pytest.mark.django_db
def test_a_configured_tile_server_is_the_one_origin_allowed_for_images():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])",
        env=PRODUCTION_ENV | {"TILE_URL": "https://tuiles.example.org/{z}/{x}/{y}.png"},
    )
    assert "https://tuiles.example.org" in result.stdout, result.stderr


@pytest.mark.django_db
def test_the_widget_may_be_framed_by_any_site(client):
    from relais.territory.models import Commune

    commune = Commune.objects.order_by("-population").first()
    response = client.get(reverse("territory:widget", args=[commune.code_insee]))
    assert "frame-ancestors *" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response


@pytest.mark.django_db
def test_the_health_check_answers(client):
    assert client.get(reverse("health")).json() == {"status": "ok", "database": True}
