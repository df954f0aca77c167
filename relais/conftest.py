"""Shared test set-up: the reference geography is loaded once per test database; no outside network."""

import socket

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction

# Data every test may rely on: the reference geography (loaded below) and the vocabularies (loaded by a
# data migration). Transactional tests (live server, browser) end with a flush of every table.
REFERENCE_MODELS = [
    "territory.Region",
    "territory.Department",
    "territory.Epci",
    "territory.Commune",
    "territory.PostalCode",
    "territory.CommuneAlias",
    "territory.MunicipalArrondissement",
    "places.Typology",
    "places.Service",
    "places.Public",
    "places.Label",
]
BACKUP_PREFIX = "test_backup_"


def _reference_tables():
    return [apps.get_model(label)._meta.db_table for label in REFERENCE_MODELS]


def _backup_reference_data():
    """Copies of the reference tables inside the test database (not Django tables: never flushed)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _reference_tables():
            cursor.execute(f"DROP TABLE IF EXISTS {quote(BACKUP_PREFIX + table)}")
            cursor.execute(f"CREATE TABLE {quote(BACKUP_PREFIX + table)} AS SELECT * FROM {quote(table)}")


def _restore_reference_data():
    """Put the reference data back after a flush: server-side copies, about 1 s (a reload takes 6 to 15)."""
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for table in _reference_tables():
            cursor.execute(f"DELETE FROM {quote(table)}")
            cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {quote(BACKUP_PREFIX + table)}")


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Real reference data (35,000 communes): lookups and spatial queries are tested on what production has.
    with django_db_blocker.unblock():
        call_command("load_territory", verbosity=0)
        _backup_reference_data()


def _is_transactional(item):
    marker = item.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request, django_db_blocker):
    # pytest-django runs transactional tests last, so only they can follow a flush.
    if not _is_transactional(request.node):
        return
    request.getfixturevalue("django_db_setup")
    with django_db_blocker.unblock():
        if not apps.get_model("territory.Commune").objects.exists():
            _restore_reference_data()


@pytest.fixture(autouse=True)
def _fresh_place_index():
    # Each test starts from its own data: no in-memory index built from another test's rolled-back rows.
    from relais.places import index

    index.reset()


@pytest.fixture
def client():
    """pytest-django's client, whose force_login also gives the second factor (relais.testing)."""
    from relais.testing import VerifiedClient

    return VerifiedClient()


@pytest.fixture(autouse=True)
def _fast_hasher_and_no_tiles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TILE_URL = ""
    # No basemap unless a test builds one (a developer's var/basemap.pmtiles must not change what is drawn).
    settings.RELAIS_BASEMAP_PATH = settings.BASE_DIR / "var" / "no-basemap-in-tests.pmtiles"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


_real_connect = socket.socket.connect


def _guarded_connect(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost") and not host.startswith("/"):
        raise OSError(f"Les tests n'ont pas accès au réseau extérieur (tentative vers {host}).")
    return _real_connect(self, address)


@pytest.fixture(autouse=True, scope="session")
def _no_outside_network():
    socket.socket.connect = _guarded_connect
    yield
    socket.socket.connect = _real_connect


@pytest.fixture(scope="session")
def chromium(django_db_blocker):
    """One headless chromium for the session's browser tests (each test gets a fresh context)."""
    import os

    from relais.testing import chromium_browser

    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls stay synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with chromium_browser() as browser:
        yield browser


@pytest.fixture
def browser_page(live_server, chromium):
    """A fresh page (new context) against the live server (see relais.testing.chromium_page)."""
    from django.db import connections

    from relais.testing import chromium_page

    with chromium_page(chromium) as page:
        yield page
    # ORM connections opened while the event loop ran: close them, or PostgreSQL refuses to drop the test
    # database at the end.
    connections.close_all()
