from django.conf import settings
from django.http import FileResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET


@require_GET
@cache_control(public=True, max_age=86400)
@gzip_page
def department_outline(request):
    """The outline of the départements (vendored reference data, see data/README.md): the map's base layer
    when no tile server is configured."""
    path = settings.RELAIS_DATA_DIR / "departements-contours.geojson"
    return FileResponse(path.open("rb"), content_type="application/geo+json")
