from django.conf import settings
from django.db.models import Count
from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from relais.places.models import Place, Typology
from relais.places.views import search_form_context


@require_GET
def home(request):
    counts = (
        Typology.objects.filter(is_tiers_lieu=True)
        .annotate(n=Count("places"))
        .filter(n__gt=0)
        .order_by("-n")
        .values("code", "name", "n")
    )
    return render(
        request,
        "core/home.html",
        {
            **search_form_context(),
            "compact": True,
            "place_count": Place.objects.visible().count(),
            "typology_counts": counts,
        },
    )


@require_GET
@cache_control(public=True, max_age=86400)
@gzip_page
def department_outline(request):
    """The outline of the départements (vendored reference data, see data/README.md): the map's base layer
    when no tile server is configured."""
    path = settings.RELAIS_DATA_DIR / "departements-contours.geojson"
    return FileResponse(path.open("rb"), content_type="application/geo+json")
