"""Shared test set-up: the reference geography is loaded once per test database; no outside network."""

import socket

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # Real reference data (35,000 communes): lookups and spatial queries are tested on what production has.
    with django_db_blocker.unblock():
        call_command("load_territory", verbosity=0)


@pytest.fixture(autouse=True)
def _fast_hasher_and_no_tiles(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TILE_URL = ""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


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
