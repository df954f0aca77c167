import json
from dataclasses import replace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from relais.core.errors import DomainError, NotFound
from relais.places.models import Label, RegistryVersion, Service, Typology
from relais.territory.models import Department, Region

from .candidates import MAX_CANDIDATE_MIN_POPULATION, MAX_CANDIDATE_TEXT_CHARS, split_communes
from .exports import CONTENT_TYPES, PAGE_ODS_MAX_COMMUNES, export_file
from .figures import map_cache_key, map_data
from .services import CoverageParams, run_coverage
from .typologies import FEW_TYPED_PLACES

# The exact mode on the page: how long a visitor may wait for the proof of optimality (seconds).
PAGE_EXACT_TIME_LIMIT_S = 20.0
# How long the map data of an analysis shown on the page stays ready for the map's request (seconds).
MAP_CACHE_SECONDS = 600
# The areas of the summary rows, as the page names them (the rows keep their codes: exports, API).
SCOPE_LABELS = {
    "epci": gettext_lazy("intercommunalité"),
    "département": gettext_lazy("département"),
    "région": gettext_lazy("région"),
}


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


def _count(value):
    """A whole number typed in the form: 0 when empty, None when unreadable (validation then says so)."""
    text = str(value or "").strip().replace("\u202f", "").replace("\u00a0", "").replace(" ", "")
    if not text:
        return 0
    try:
        return int(text)
    except ValueError:
        return None


def params_from_query(query):
    """The analysis asked for by the page's form (the page, its map data and its downloads read the same
    parameters)."""
    return CoverageParams(
        territory=query.get("territory", "")[:20],
        radius_km=_float(query.get("radius_km"), 10.0),
        recommend=min(_int(query.get("recommend"), 0), 200),
        label=query.get("label", "")[:40],
        typology=query.get("typology", "")[:40],
        service=query.get("service", "")[:40],
        exact=query.get("exact", "") == "1",
        time_limit_s=PAGE_EXACT_TIME_LIMIT_S,
        candidate_min_population=_count(query.get("candidate_min_population", "")[:20]),
        candidate_communes=split_communes(query.get("candidate_communes", "")[:MAX_CANDIDATE_TEXT_CHARS]),
        candidate_exclude_covered=query.get("candidate_exclude_covered", "") == "1",
    )


def query_values(params):
    """The form's fields that ask for `params` again (the territory always: empty, it is all of France)."""
    values = {
        "territory": params.territory,
        "radius_km": f"{params.radius_km:g}",
        "recommend": params.recommend,
        "label": params.label,
        "typology": params.typology,
        "service": params.service,
        "exact": 1 if params.exact else 0,
        "candidate_min_population": params.candidate_min_population,
        "candidate_communes": ", ".join(params.candidate_communes),
        "candidate_exclude_covered": 1 if params.candidate_exclude_covered else 0,
    }
    return {k: v for k, v in values.items() if k == "territory" or v not in ("", None, 0)}


def query_of(params):
    """The query string that asks for `params` again (the map's data URL, the page after keeping a run)."""
    return urlencode(query_values(params))


def band_label(band):
    if band["high"] is None:
        return _("plus de %(low)s km") % {"low": band["low"]}
    return _("de %(low)s à %(high)s km") % {"low": band["low"], "high": band["high"]}


def chart_data(result, bands):
    """Data of the chart of population by band of distance (read by coverage-chart.js)."""
    datasets = [{"label": _("Aujourd'hui"), "data": [b["population"] for b in bands]}]
    if result.recommended:
        datasets.append(
            {
                "label": ngettext(
                    "Avec %(n)s site recommandé", "Avec les %(n)s sites recommandés", len(result.recommended)
                )
                % {"n": len(result.recommended)},
                "data": [b["population_after"] for b in bands],
            }
        )
    return {
        "labels": [b["label"] for b in bands],
        "datasets": datasets,
        "axis": _("Habitants"),
        "tooltip": _("{label} : {value}"),
    }


@require_GET
def coverage_page(request):
    """Public coverage page: a territory's distance to places, white zones, and where to open new ones.
    Showing an analysis stores nothing; a signed-in person may keep it (`keep_analysis`)."""
    params = None
    result = error = None
    if "territory" in request.GET:
        params = params_from_query(request.GET)
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
        "services": Service.objects.all(),
        "page_time_limit": f"{PAGE_EXACT_TIME_LIMIT_S:g}",
        "max_candidate_min_population": MAX_CANDIDATE_MIN_POPULATION,
        "max_candidate_text": MAX_CANDIDATE_TEXT_CHARS,
        "candidate_communes_text": "\n".join(params.candidate_communes) if params else "",
    }
    if result:
        # The map asks for its data right after the page: keep it ready (same parameters, same registry).
        cache.set(map_cache_key(params, result.registry_token), _map_json(result), MAP_CACHE_SECONDS)
        bands = [{**b, "label": band_label(b)} for b in result.bands]
        context["bands"] = bands
        context["chart"] = chart_data(result, bands)
        context["map_url"] = reverse("coverage:map-data") + "?" + query_of(params)
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
        context["sub_areas"] = [
            {**row, "scope_label": SCOPE_LABELS[row["scope"]]}
            for row in result.summary[1:]
            if row["scope"] != "région"
        ][:60]
        context["keep_fields"] = sorted(query_values(params).items())
        context["solver_used"] = "solver" in result.recommendation
        context["gap_percent"] = result.recommendation.get("gap_added", 0) * 100
        context.update(typology_context(result, params))
        context["population"] = population_context(result)
        context["downloads"] = download_links(result, params)
        context["candidate_conditions"] = candidate_conditions(params)
    return render(request, "coverage/coverage.html", context)


def typology_context(result, params):
    """The table of distances by typology: only the typologies with places in the territory or within reach
    of it, each with its count; those with fewer than a handful marked `few` (their figures are not shown).
    The others are named: no place within reach, or none in the registry at all."""
    held = [row for row in result.by_typology if row["places_in_territory"] or row["places_nearby"]]
    return {
        "typology_few": any(row["few"] for row in held),
        "few_typed_places": FEW_TYPED_PLACES,
        "typology_rows": [
            {
                **row,
                "query": query_of(replace(params, typology=row["code"])),
                "reach": row["places_in_territory"] + row["places_nearby"],
            }
            for row in held
        ],
        "typologies_out_of_reach": [
            row["name"]
            for row in result.by_typology
            if row["places"] and not (row["places_in_territory"] or row["places_nearby"])
        ],
        "typologies_without_place": [row["name"] for row in result.by_typology if not row["places"]],
    }


def candidate_conditions(params):
    """The restrictions of the candidate communes, as the page states them (empty: every commune)."""
    conditions = []
    if params.candidate_min_population:
        conditions.append(
            ngettext("au moins %(n)s habitant", "au moins %(n)s habitants", params.candidate_min_population)
            % {"n": number_format(params.candidate_min_population, force_grouping=True)}
        )
    if params.candidate_communes:
        conditions.append(
            ngettext(
                "parmi la commune de la liste",
                "parmi les %(n)s communes de la liste",
                len(params.candidate_communes),
            )
            % {"n": len(params.candidate_communes)}
        )
    if params.candidate_exclude_covered:
        conditions.append(
            _("hors des communes déjà à moins de %(r)s km d'un lieu") % {"r": f"{params.radius_km:g}"}
        )
    return conditions


def population_context(result):
    """The territory's population as the territory pages give it, and what the distances leave out."""
    figure = result.population
    return {
        **figure,
        "total_text": number_format(figure["total"], force_grouping=True),
        "analysed_text": number_format(figure["analysed"], force_grouping=True),
        "excluded_text": number_format(figure["excluded"], force_grouping=True),
        "excluded_communes": len(result.excluded),
    }


def download_links(result, params):
    """The page's downloads: the files the `coverage` command writes, for the analysis shown."""
    query = query_of(params)
    names = ["communes.csv", "summary.csv"]
    if result.recommended:
        names.append("recommended.csv")
    if len(result.communes) <= PAGE_ODS_MAX_COMMUNES:
        names.append("coverage.ods")
    names.append("communes.geojson")
    labels = {
        "communes.csv": _("CSV des communes"),
        "summary.csv": _("CSV du résumé par territoire"),
        "recommended.csv": _("CSV des sites recommandés"),
        "coverage.ods": _("ODS (tous les tableaux)"),
        "communes.geojson": _("GeoJSON des communes"),
    }
    links = [
        {"name": name, "label": labels[name], "url": reverse("coverage:export", args=[name]) + "?" + query}
        for name in names
    ]
    return {"links": links, "note": "" if "coverage.ods" in names else ods_too_large()}


@require_GET
def coverage_export(request, name):
    """One file of the analysis asked for (same parameters as the page), for anyone who can see the page:
    the same content as the `coverage` command writes; computed afresh, nothing stored."""
    if name not in CONTENT_TYPES:
        raise Http404
    params = params_from_query(request.GET)
    try:
        result = run_coverage(params)
    except DomainError as exc:
        status = 404 if isinstance(exc, NotFound) else 400
        return HttpResponse(exc.message, status=status, content_type="text/plain; charset=utf-8")
    if name == "coverage.ods" and len(result.communes) > PAGE_ODS_MAX_COMMUNES:
        return HttpResponse(
            ods_too_large(),
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    content = export_file(result, name)
    if content is None:
        return HttpResponse(
            _("Cette analyse ne recommande aucun site : ajoutez des nouveaux lieux à placer."),
            status=404,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type=CONTENT_TYPES[name])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(result, name)}"'
    return response


def ods_too_large():
    return _(
        "Le classeur ODS n'est proposé ici que jusqu'à %(max)s communes (il serait trop long à écrire) : "
        "téléchargez les CSV, ou utilisez la commande coverage."
    ) % {"max": number_format(PAGE_ODS_MAX_COMMUNES, force_grouping=True)}


def export_filename(result, name):
    """maillage-dep-15-communes.csv, maillage-france-coverage.ods…"""
    territory = f"{result.territory.kind}-{result.territory.code}" if result.territory.kind else "france"
    return f"maillage-{territory}-{name}".lower()


@require_POST
def keep_analysis(request):
    """Keep the analysis of the posted form's parameters as a stored run (signed-in people only: a public
    page must not grow the table), then show it again with its number."""
    params = params_from_query(request.POST)
    page = reverse("coverage:page") + "?" + query_of(params)
    if not request.user.is_authenticated:
        return redirect_to_login(page)
    try:
        result = run_coverage(params, save=True, kept_by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(page)
    messages.success(
        request,
        _("Analyse conservée sous le n° %(id)s : elle peut être citée avec ce numéro.")
        % {"id": result.run.pk},
    )
    return redirect(page)


@require_GET
@gzip_page
def coverage_map_data(request):
    """The map's data (JSON, compressed): the communes of the analysis with their distance to the nearest
    place, and the recommended sites. Same parameters as the page; computed by the same service."""
    params = params_from_query(request.GET)
    key = map_cache_key(params, RegistryVersion.current())
    content = cache.get(key)
    if content is None:
        try:
            result = run_coverage(params)
        except DomainError as exc:
            status = 404 if isinstance(exc, NotFound) else 400
            return JsonResponse({"detail": exc.message, "field": exc.field}, status=status)
        content = _map_json(result)
        cache.set(key, content, MAP_CACHE_SECONDS)
    return HttpResponse(content, content_type="application/json")


def _map_json(result):
    """The map data, serialised once (compact separators: a whole-France map is about 2 MB, 0.75 MB
    compressed)."""
    return json.dumps(map_data(result), ensure_ascii=False, separators=(",", ":")).encode()
