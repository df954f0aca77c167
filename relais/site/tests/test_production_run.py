"""The production configuration started for real: gunicorn with 2 workers and DEBUG off, behind what a reverse
proxy sends (X-Forwarded-Proto), the background worker, a database of its own on the suite's engine
(PostgreSQL in CI, SQLite otherwise) — then checked over HTTP: pages and API answer, static files are served,
a write through one worker is seen by a search through the other, a booking e-mail is sent by the worker.

Nothing is mocked: the processes are the ones `deploy/` runs (docs/exploitation.md)."""

import concurrent.futures
import datetime
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

BIN = Path(sys.executable).parent
SETUP = """
import datetime, json, zoneinfo
from relais.accounts.models import ApiToken, PlaceRole
from relais.testing import PlaceFactory, ResourceFactory, UserFactory
manager = UserFactory(username="gerante", email="gerante@example.org")
member = UserFactory(username="adherent", email="adherent@example.org")
place = PlaceFactory(name="La Fabrique", opening_hours="Mo-Su 08:00-20:00", managers=[manager])
room = ResourceFactory(place=place, name="Salle Jaune")
_t, write = ApiToken.issue(manager, "prod", scopes=["places:write"])
_t, book = ApiToken.issue(member, "prod", scopes=["spaces:write"])
print(json.dumps({"place": str(place.pk), "room": str(room.public_id), "write": write, "book": book}))
"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_url():
    """A database of its own, on the engine the suite runs on, dropped afterwards."""
    if connection.vendor == "postgresql":
        import psycopg

        params = connection.settings_dict
        name = f"relais_prod_{secrets.token_hex(4)}"
        admin = f"host={params['HOST'] or '127.0.0.1'} port={params['PORT'] or 5432} user={params['USER']}"
        with psycopg.connect(admin + " dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        yield f"postgres://{params['USER']}@{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}/{name}"
        with psycopg.connect(admin + " dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        yield None  # the tmp_path SQLite file below


@pytest.fixture
def production(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAIS_", "DJANGO_")) and k != "DEBUG"}
    env |= {
        "RELAIS_ENV_FILE": os.devnull,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'relais.sqlite3'}",
        "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO",
        "RELAIS_STATIC_ROOT": str(tmp_path / "static"),
        "RELAIS_MEDIA_ROOT": str(tmp_path / "media"),
        "RELAIS_BASEMAP_PATH": str(tmp_path / "basemap.pmtiles"),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mails"),
        "RELAIS_BASE_URL": "https://relais.example.org",
    }

    def manage(*args):
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    manage("migrate", "--no-input", "-v0")
    manage("load_territory", "-v0")  # the reference geography, as `make run` and an installation do
    manage("collectstatic", "--no-input", "-v0")
    ids = json.loads(manage("shell", "-c", SETUP).strip().splitlines()[-1])
    port = free_port()
    log = tmp_path / "access.log"
    errors = (tmp_path / "gunicorn.log").open("w")
    web = subprocess.Popen(
        [str(BIN / "gunicorn"), "relais.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", str(log), "--access-logformat", "%(p)s %(s)s %(r)s"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=errors,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/sante/", timeout=2)
                break
            except OSError:  # not listening yet, or still starting
                time.sleep(0.2)
        yield {
            "base": base,
            "log": log,
            "mails": tmp_path / "mails",
            "errors": tmp_path / "gunicorn.log",
            **ids,
        }
    finally:
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=30)
        errors.close()


def fetch(url, *, method="GET", data=None, token=None):
    """(status, headers, body) as a browser behind the proxy would get them (HTTPS said by the proxy)."""
    headers = {"X-Forwarded-Proto": "https", "Accept": "application/json, text/html"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    body = None
    if data is not None:
        body = json.dumps(data).encode()
        headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def workers_in_log(log, path_part, after=0):
    """The gunicorn worker pids that answered requests whose line contains `path_part`."""
    lines = log.read_text().splitlines()[after:]
    return {line.split()[0] for line in lines if path_part in line}


def test_the_production_configuration_serves_pages_api_static_files_and_mails(production):
    base = production["base"]
    # Pages and API, with the security headers of production.
    status, headers, body = fetch(base + "/lieux/")
    assert status == 200 and "La Fabrique" in body.decode()
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    status, _h, body = fetch(base + "/api/places?q=Fabrique")
    assert status == 200 and json.loads(body)["count"] == 1
    # Plain HTTP (no proxy header) is sent to HTTPS; the health check is not.
    plain = urllib.request.Request(base + "/lieux/")
    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(plain, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")
    assert urllib.request.urlopen(base + "/sante/", timeout=10).status == 200
    # Static files from collectstatic, with their hashed names (whitenoise).
    page = fetch(base + "/")[2].decode()
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page).group(1)
    assert re.search(r"\.[0-9a-f]{12}\.css$", stylesheet)
    status, headers, _body = fetch(base + stylesheet)
    assert status == 200 and "immutable" in headers.get("Cache-Control", "")

    # Both workers have loaded the registry (concurrent searches keep both busy) …
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda _i: fetch(base + "/api/places?q=Fabrique"), range(16)))
    assert len(workers_in_log(production["log"], "/api/places?q=Fabrique")) == 2
    # … a write goes through one of them …
    before = len(production["log"].read_text().splitlines())
    status, _h, body = fetch(
        f"{base}/api/places/{production['place']}",
        method="PATCH",
        data={"name": "La Fabrique du Bourg"},
        token=production["write"],
    )
    assert status == 200, body
    # … and every search through either worker sees it (the in-memory index follows the registry version).
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _i: fetch(base + "/api/places?q=Bourg"), range(16)))
    assert all(json.loads(body)["count"] == 1 for _s, _h, body in answers)
    assert len(workers_in_log(production["log"], "/api/places?q=Bourg", after=before)) == 2

    # A booking through the API: its confirmation e-mail is sent by the background worker.
    tomorrow = datetime.date.today() + datetime.timedelta(days=2)
    start = datetime.datetime.combine(tomorrow, datetime.time(10, 0)).isoformat()
    end = datetime.datetime.combine(tomorrow, datetime.time(11, 0)).isoformat()
    status, _h, body = fetch(
        base + "/api/spaces/bookings",
        method="POST",
        data={"resource": production["room"], "start": start, "end": end},
        token=production["book"],
    )
    assert status == 201, body
    deadline = time.monotonic() + 60
    mails = []
    while time.monotonic() < deadline and not mails:
        time.sleep(0.3)
        mails = list(production["mails"].glob("*.log")) if production["mails"].exists() else []
    assert mails, "the worker sent no e-mail within 60 s"
    text = mails[0].read_text()
    assert "adherent@example.org" in text and "Salle Jaune" in text


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
