"""Territory pages (commune, département, région) and the embeddable widget of a commune.

They list places, so they live in the places app (the territory app imports no other app but core); their
URLs, URL names (`territory:` namespace, territory_urls.py) and static files (`/static/territory/`) kept
their addresses when they moved here."""

from urllib.parse import quote, urlencode

from csp.decorators import csp_replace
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import cache_control
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from relais.core.errors import DomainError
from relais.territory.models import Commune, Department, Epci, Region, is_commune_code
from relais.territory.services import get_commune
from relais.territory.timezones import local_time, timezone_of

from . import serving
from .hours import STATE_NOT_STATED, STATE_OPEN, format_time, long_date, next_change, state_at
from .models import Typology

PAGE_SIZE = 30
WIDGET_DEFAULT_COUNT = 5
WIDGET_MAX_COUNT = 20
WIDGET_HEIGHT = 420  # the frame's height before the widget reports its own (see widget.js)
WIDGET_IFRAME_HEIGHT = 760  # the pasted <iframe> without the script: five places and the last link
WIDGET_MAX_HEIGHT = 6000  # a reported height above this is capped (twenty places on a narrow screen)


def _commune_or_404(code):
    """The current commune of an INSEE code (old and merged codes lead to it); 404 when unknown."""
    if not is_commune_code(code or ""):
        raise Http404
    try:
        commune = get_commune(code)
    except DomainError:
        raise Http404 from None
    return commune


def _query_string(request, page):
    """The query string of another page of the list: same radius."""
    params = {"rayon": request.GET.get("rayon", "")[:20], "page": page}
    return urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _permanent_redirect(request, url):
    query = request.META.get("QUERY_STRING", "")
    return redirect(f"{url}?{query}" if query else url, permanent=True)


def _url_maker(name):
    """code → URL of the named route taking one code: reversed once for a long table, not once a row."""
    placeholder = "00000"
    pattern = reverse(name, args=[placeholder])
    head, _, tail = pattern.rpartition(placeholder)
    return lambda code: f"{head}{quote(code)}{tail}"


def _typology_names():
    return dict(Typology.objects.values_list("code", "name"))


def _breadcrumbs(territory):
    region = department = None
    if territory.kind == serving.COMMUNE:
        department = territory.obj.department
        region = department.region
    elif territory.kind == serving.DEPARTMENT:
        department = territory.obj
        region = department.region
    else:
        region = territory.obj
    crumbs = [{"label": region.name, "url": reverse("territory:region", args=[region.code])}]
    if department is not None:
        crumbs.append(
            {
                "label": f"{department.name} ({department.code})",
                "url": reverse("territory:department", args=[department.code]),
            }
        )
    if territory.kind == serving.COMMUNE:
        crumbs.append({"label": territory.name, "url": reverse("territory:commune", args=[territory.code])})
    return crumbs


def _km(value):
    """A distance for people: "10", "7,5" (one decimal at most, the language's separator)."""
    value = round(float(value), 1)
    return number_format(int(value) if value.is_integer() else value)


def _wording(territory):
    return {
        serving.COMMUNE: {
            "kind": _("commune"),
            "inside": _("Dans la commune"),
            "inside_lower": _("dans la commune"),
        },
        serving.DEPARTMENT: {
            "kind": _("département"),
            "inside": _("Dans le département"),
            "inside_lower": _("dans le département"),
        },
        serving.REGION: {
            "kind": _("région"),
            "inside": _("Dans la région"),
            "inside_lower": _("dans la région"),
        },
    }[territory.kind]


def _description(territory, result):
    """The Open Graph / meta description: what a shared link shows."""
    values = {
        "name": territory.name
        if territory.kind != serving.DEPARTMENT
        else f"{territory.name} ({territory.code})",
        "kind": _wording(territory)["kind"],
        "total": result.count,
        "inside": result.inside_count,
        "nearby": result.nearby_count,
        "radius": _km(result.radius_km),
    }
    text = (
        ngettext(
            "%(name)s (%(kind)s) : %(total)s lieu à son service (tiers-lieux, médiation numérique, France "
            "Services…), %(inside)s sur place et %(nearby)s à moins de %(radius)s km.",
            "%(name)s (%(kind)s) : %(total)s lieux à son service (tiers-lieux, médiation numérique, France "
            "Services…), %(inside)s sur place et %(nearby)s à moins de %(radius)s km.",
            result.count,
        )
        % values
    )
    if territory.population:
        text += " " + _("%(population)s habitants.") % {
            "population": number_format(territory.population, force_grouping=True)
        }
    return text


def _sub_territories(territory, result):
    """What lies below: départements of a région; communes with a place and EPCI of a département."""
    if territory.kind == serving.REGION:
        counts_by_department = result.inside_counts_by("department")
        department_url = _url_maker("territory:department")
        departments = [
            {
                "code": d.code,
                "name": d.name,
                "url": department_url(d.code),
                "count": counts_by_department.get(d.code, 0),
            }
            for d in Department.objects.filter(region_id=territory.code).order_by("code")
        ]
        return {"departments": departments}
    if territory.kind == serving.DEPARTMENT:
        counts = result.inside_counts_by("commune")
        commune_url = _url_maker("territory:commune")
        communes = [
            {"code": code, "name": name, "url": commune_url(code), "count": counts[code]}
            for code, name, _ in result.communes
            if code in counts
        ]
        epci_of = {code: epci for code, _, epci in result.communes if epci}
        epci_counts = {}
        for code in epci_of.values():
            epci_counts.setdefault(code, 0)
        for code, count in counts.items():
            if code in epci_of:
                epci_counts[epci_of[code]] += count
        epcis = [
            {
                "siren": e.siren,
                "name": e.name,
                "kind": e.get_kind_display(),
                "count": epci_counts.get(e.siren, 0),
            }
            for e in Epci.objects.filter(siren__in=list(epci_counts)).order_by("name")
        ]
        return {"communes": communes, "epcis": epcis}
    return {}


def _map_points(places):
    """The territory's map: [[latitude, longitude, name, url]] of the places of the list's page that have a
    position (the map shows what the list shows)."""
    pattern = reverse("places:detail", args=["00000000-0000-0000-0000-000000000000"])
    points = []
    for place in places:
        entry = place["item"].entry
        if entry.latitude is None or entry.longitude is None:
            continue
        url = pattern.replace("00000000-0000-0000-0000-000000000000", str(entry.id))
        points.append([round(entry.latitude, 5), round(entry.longitude, 5), entry.name, url])
    return points


def _territory_page(request, territory, template_extra=None):
    error = None
    try:
        radius_km = serving.parse_radius(request.GET.get("rayon"))
    except DomainError as exc:
        error = exc.message
        radius_km = serving.default_radius_km()
    result = serving.places_serving(territory, radius_km)
    paginator = Paginator(range(result.count), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    start = (page.number - 1) * PAGE_SIZE if result.count else 0
    names = _typology_names()
    places = [
        {"item": item, "typologies": [names.get(code, code) for code in item.entry.typologies]}
        for item in result.places(start, start + PAGE_SIZE)
    ]
    kind_url = {
        serving.COMMUNE: "territory:commune",
        serving.DEPARTMENT: "territory:department",
        serving.REGION: "territory:region",
    }[territory.kind]
    canonical = request.build_absolute_uri(reverse(kind_url, args=[territory.code]))
    context = {
        "territory": territory,
        "result": result,
        "radius_km": radius_km,
        "radius_input": request.GET.get("rayon", "")[:20] if error else f"{radius_km:g}",
        "radius_text": _km(radius_km),
        "population_text": number_format(territory.population, force_grouping=True),
        "wording": _wording(territory),
        "radius_error": error,
        "max_radius_km": serving.MAX_RADIUS_KM,
        "default_radius_km": serving.default_radius_km(),
        "page": page,
        "places": places,
        "previous_query": _query_string(request, page=page.previous_page_number())
        if page.has_previous()
        else "",
        "next_query": _query_string(request, page=page.next_page_number()) if page.has_next() else "",
        "typology_counts": result.typology_counts(),
        "map_points": _map_points(places),
        "service_counts": result.service_counts(),
        "per_10000": (result.inside_count * 10000 / territory.population) if territory.population else None,
        "breadcrumbs": _breadcrumbs(territory),
        "coverage_department": territory.obj.department.name
        if territory.kind == serving.COMMUNE
        else territory.name,
        "coverage_url": reverse("coverage:page")
        + "?"
        + urlencode({"territory": territory.coverage_territory}),
        "canonical_url": canonical,
        "description": _description(territory, result),
        **_sub_territories(territory, result),
        **(template_extra or {}),
    }
    return render(request, "places/territory/territory_page.html", context, status=400 if error else 200)


@require_GET
def commune_page(request, code):
    commune = _commune_or_404(code)
    if commune.code_insee != code:
        return _permanent_redirect(request, reverse("territory:commune", args=[commune.code_insee]))
    commune = Commune.objects.select_related("department__region", "epci").get(pk=commune.pk)
    territory = serving.commune_territory(commune)
    widget_url = request.build_absolute_uri(reverse("territory:widget", args=[commune.code_insee]))
    script_url = request.build_absolute_uri(reverse("territory:widget-js"))
    iframe_title = escape(_("Lieux proches de la commune : %(name)s (Relais)") % {"name": commune.name})
    snippets = {
        "iframe": (
            f'<iframe src="{escape(widget_url)}" title="{iframe_title}" width="100%" '
            f'height="{WIDGET_IFRAME_HEIGHT}" style="border:0" loading="lazy"></iframe>'
        ),
        "script": f'<script src="{escape(script_url)}" data-commune="{commune.code_insee}" async></script>',
    }
    return _territory_page(
        request, territory, {"commune": commune, "snippets": snippets, "widget_url": widget_url}
    )


@require_GET
def department_page(request, code):
    department = Department.objects.select_related("region").filter(pk=(code or "").upper()[:3]).first()
    if department is None:
        raise Http404
    if department.code != code:
        return _permanent_redirect(request, reverse("territory:department", args=[department.code]))
    return _territory_page(request, serving.department_territory(department))


@require_GET
def region_page(request, code):
    region = Region.objects.filter(pk=code).first()
    if region is None:
        raise Http404
    return _territory_page(request, serving.region_territory(region))


# --- Embeddable widget -----------------------------------------------------------------------------


def _count(text):
    try:
        value = int(text)
    except (TypeError, ValueError):
        return WIDGET_DEFAULT_COUNT
    return min(max(value, 1), WIDGET_MAX_COUNT)


def _hours_line(entry):
    """(open now: True/False/None, next change as an aware local datetime or None, whether it is today,
    whether today is a public holiday the hours do not speak of — then neither open nor closed is said)."""
    if not entry.opening_hours:
        return None, None, False, False
    tz = timezone_of(entry.department)
    state = state_at(entry.opening_hours, entry.department)
    if state is None or state == STATE_NOT_STATED:
        return None, None, False, state == STATE_NOT_STATED
    change = next_change(entry.opening_hours, tz=tz)
    now = local_time(None, tz)
    return state == STATE_OPEN, change, bool(change and change.date() == now.date()), False


def _change_text(change, today):
    """The next change written as the site writes hours: « 13 h 30 », « lundi 7 décembre à 9 h 00 »."""
    if change is None:
        return ""
    if today:
        return format_time(change.time())
    return _("%(date)s à %(time)s") % {
        "date": long_date(change.date(), with_year=False),
        "time": format_time(change.time()),
    }


@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})  # any town hall's site may embed it
@require_GET
@cache_control(public=True, max_age=300)
def widget(request, code):
    """A small self-contained page for an iframe on a town hall's site: the nearest places serving the
    commune. No request to another host, its own CSS; one small script of its own (widget-frame.js) only
    tells the embedding page its height, and the page works without it."""
    with translation.override("fr"):
        commune = _widget_commune(code)
        if commune is None:
            return render(
                request, "places/territory/widget_error.html", {"message": _("Commune inconnue.")}, status=404
            )
        if commune.code_insee != code:
            return _permanent_redirect(request, reverse("territory:widget", args=[commune.code_insee]))
        typology = request.GET.get("typologie", "")[:40].strip()
        if typology and not Typology.objects.filter(code=typology).exists():
            return render(
                request,
                "places/territory/widget_error.html",
                {"message": _("Typologie inconnue : « %(code)s ».") % {"code": typology}},
                status=400,
            )
        try:
            radius_km = serving.parse_radius(request.GET.get("rayon"))
        except DomainError as exc:
            message = exc.message[0].upper() + exc.message[1:]
            return render(request, "places/territory/widget_error.html", {"message": message}, status=400)
        territory = serving.commune_territory(commune)
        result = serving.places_serving(territory, radius_km, typology=typology)
        names = _typology_names()
        places = []
        for item in result.nearest(_count(request.GET.get("n"))):
            verdict, change, today, holiday_unstated = _hours_line(item.entry)
            places.append(
                {
                    "item": item,
                    "url": request.build_absolute_uri(reverse("places:detail", args=[item.entry.id])),
                    "typologies": [names.get(c, c) for c in item.entry.typologies],
                    "open_now": verdict,
                    "next_change": change,
                    "change_text": _change_text(change, today),
                    "change_today": today,
                    "holiday_unstated": holiday_unstated,
                }
            )
        return render(
            request,
            "places/territory/widget.html",
            {
                "commune": commune,
                "result": result,
                "places": places,
                "typology": names.get(typology, "") if typology else "",
                "page_url": request.build_absolute_uri(
                    reverse("territory:commune", args=[commune.code_insee])
                ),
            },
        )


def _widget_commune(code):
    if not is_commune_code(code or ""):
        return None
    try:
        return get_commune(code)
    except DomainError:
        return None


@require_GET
@cache_control(public=True, max_age=86400)
def widget_js(request):
    """The script a town hall pastes: it inserts the widget's iframe right after its own tag."""
    return render(
        request,
        "places/territory/widget.js",
        {
            "widget_path": reverse("territory:widget", args=["00000"]),
            "height": WIDGET_HEIGHT,
            "max_count": WIDGET_MAX_COUNT,
            "max_height": WIDGET_MAX_HEIGHT,
        },
        content_type="text/javascript; charset=utf-8",
    )
