from django.shortcuts import render
from django.views.decorators.http import require_GET

from relais.core.errors import DomainError
from relais.places.models import Label, Typology
from relais.territory.models import Department, Region

from .services import CoverageParams, run_coverage

BANDS = [(0, 5), (5, 10), (10, 20), (20, 30), (30, None)]


def _float(value, default):
    try:
        return float(str(value).replace(",", "."))
    except (TypeError, ValueError):
        return default


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def distance_bands(communes):
    """Population by band of distance to the nearest place (rows for a table and a bar chart)."""
    total = sum(c["population"] for c in communes) or 1
    rows = []
    for low, high in BANDS:
        population = sum(
            c["population"]
            for c in communes
            if c["nearest_km"] >= low and (high is None or c["nearest_km"] < high)
        )
        rows.append({"low": low, "high": high, "population": population, "share": population / total})
    return rows


@require_GET
def coverage_page(request):
    """Public coverage page: a territory's distance to places, white zones, and where to open new ones."""
    params = None
    result = error = None
    if "territory" in request.GET:
        params = CoverageParams(
            territory=request.GET.get("territory", "")[:20],
            radius_km=_float(request.GET.get("radius_km"), 10.0),
            recommend=min(_int(request.GET.get("recommend"), 0), 200),
            label=request.GET.get("label", "")[:40],
            typology=request.GET.get("typology", "")[:40],
        )
        try:
            result = run_coverage(params)
        except DomainError as exc:
            error = exc.message
    context = {
        "params": params or CoverageParams(),
        "result": result,
        "error": error,
        "departments": Department.objects.order_by("code"),
        "regions": Region.objects.order_by("name"),
        "labels": Label.objects.all(),
        "typologies": Typology.objects.filter(is_tiers_lieu=True),
    }
    if result:
        context["bands"] = distance_bands(result.communes)
        context["white_zones"] = sorted(
            (c for c in result.communes if c["white_zone"]), key=lambda c: -c["population"]
        )[:30]
        context["white_zone_count"] = sum(1 for c in result.communes if c["white_zone"])
        context["white_zone_population"] = sum(c["population"] for c in result.communes if c["white_zone"])
        context["radius_key"] = f"{result.params.radius_km:g}"
        head = result.summary[0]
        context["head"] = head
        context["covered_radius"] = head[f"covered_{context['radius_key']}km"]
        context["share_radius"] = head[f"share_{context['radius_key']}km"]
        context["sub_areas"] = [row for row in result.summary[1:] if row["scope"] != "région"][:60]
    return render(request, "coverage/coverage.html", context)
