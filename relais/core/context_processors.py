from django.conf import settings


def maps(request):
    """What every map needs: the operator's tile server, if any (else the bundled outline is drawn)."""
    return {"MAP_TILE_URL": settings.TILE_URL, "MAP_TILE_ATTRIBUTION": settings.TILE_ATTRIBUTION}
