"""Relais's settings plus what the PostGIS peer needs: GeoDjango, the peer app, a `gis` connection.

The `gis` connection reaches the same database as `default` through GeoDjango's PostGIS backend, so that
Relais's own requests keep the plain PostgreSQL backend they run on in production.
"""

from relais.settings import *  # noqa: F403
from relais.settings import DATABASES, INSTALLED_APPS

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise RuntimeError("the PostGIS peer needs DATABASE_URL to name a PostgreSQL database")

INSTALLED_APPS = [*INSTALLED_APPS, "django.contrib.gis", "postgis_peer"]
DATABASES = {
    **DATABASES,
    "gis": {**DATABASES["default"], "ENGINE": "django.contrib.gis.db.backends.postgis"},
}
DATABASE_ROUTERS = ["postgis_peer.routers.PeerRouter"]
ROOT_URLCONF = "postgis_peer.urls"
