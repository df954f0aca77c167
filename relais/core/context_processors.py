from pathlib import Path

from django.conf import settings
from django.urls import reverse


def maps(request):
    """What every map needs: the operator's tile server, if any; else the vector basemap served by Relais
    (settings.RELAIS_BASEMAP_PATH) when it is built; else the bundled outline of the départements."""
    basemap = not settings.TILE_URL and Path(settings.RELAIS_BASEMAP_PATH).is_file()
    return {
        "MAP_TILE_URL": settings.TILE_URL,
        "MAP_TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION,
        "MAP_BASEMAP_URL": reverse("basemap") if basemap else "",
    }
