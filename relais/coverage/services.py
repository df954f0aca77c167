"""Coverage analyses on the registry: load communes and places, run the engine, store the run, export it.

The engine (`engine.py`) works on arrays; this module is the thin adapter between it and the database,
shared by the page (and its map data), the `coverage` command and the API. Also here: the bands of distance
(table, chart, map), the distance to each tiers-lieux typology, demand weights read from a CSV file, the
exact mode through CBC (`exact.py`) and the retention of stored runs (`prune_runs`).
"""

import csv
import datetime
import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from django.db import transaction
from django.utils import timezone

from relais.core.errors import DomainError, NotFound
from relais.places.models import Label, Place, RegistryVersion, Service, Typology
from relais.places.search import PlaceQuery, filtered_queryset
from relais.territory.models import Commune, Department, Epci, Region

from . import engine
from . import exact as exact_mip
from .models import CoverageRun

MAX_RADIUS_KM = 200
DEFAULT_THRESHOLDS = (5, 10, 20)
# Bands of distance to the nearest place (lower edges, km; the last one is open-ended) and their colours on
# the map and in the chart: ColorBrewer YlOrRd, a single-hue sequence readable with colour-blindness.
BAND_EDGES_KM = (0, 5, 10, 20, 30)
BAND_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


@dataclass(frozen=True)
class Territory:
    kind: str  # "", "dep", "reg", "epci"
    code: str
    name: str

    @property
    def label(self):
        return self.name if self.kind else "France"


def parse_territory(text):
    """ "dep:15", "reg:84", "epci:200066637" or "" (all of France) → Territory; DomainError otherwise."""
    text = (text or "").strip()
    if not text:
        return Territory("", "", "France")
    kind, _, code = text.partition(":")
    models = {"dep": Department, "reg": Region, "epci": Epci}
    if kind not in models or not code:
        raise DomainError(
            f"territoire « {text} » mal écrit : attendu dep:CODE, reg:CODE ou epci:SIREN "
            "(par exemple dep:15).",
            field="territory",
        )
    obj = models[kind].objects.filter(pk=code.upper() if kind == "dep" else code).first()
    if obj is None:
        label = {"dep": "département", "reg": "région", "epci": "EPCI"}[kind]
        raise NotFound(f"{label} inconnu : « {code} ».", field="territory")
    return Territory(kind, obj.pk, obj.name)


@dataclass
class CoverageParams:
    territory: str = ""
    radius_km: float = 10.0
    thresholds_km: tuple = DEFAULT_THRESHOLDS
    recommend: int = 0
    typology: str = ""
    service: str = ""
    label: str = ""
    # Approximations, clearly labelled as such: road distance ≈ detour × great-circle distance, travel time
    # at an average speed. A routing engine (e.g. OSRM tables) can replace `GreatCircleDistances`.
    detour_factor: float = 1.3
    speed_kmh: float = 50.0
    min_spacing_km: float | None = None
    # Exact mode for those who can wait: a sparse model solved by CBC (exact.py; HiGHS when CBC cannot run
    # here); the fast answer is kept when the solver does not beat it within the time limit.
    exact: bool = False
    time_limit_s: float = 60.0
    # Demand weights other than the population (e.g. people aged 60 and over): {code INSEE: weight}, read
    # by `read_weights`; the analysed communes missing from it weigh 0. `weights_source` names the file.
    weights: dict | None = field(default=None, repr=False)
    weights_source: str = ""

    def stored(self):
        """The parameters as recorded with a run (the weights by their source and size, not their values)."""
        values = asdict(self)
        values["thresholds_km"] = list(self.thresholds_km)
        weights = values.pop("weights")
        values.pop("weights_source")
        if weights is not None:
            values["weights"] = {
                "source": self.weights_source,
                "communes": len(weights),
                "total": _amount(sum(weights.values())),
            }
        return values

    def validate(self):
        if not (0 < self.radius_km <= MAX_RADIUS_KM):
            raise DomainError(
                f"le rayon doit être compris entre 0 et {MAX_RADIUS_KM} km (reçu : {self.radius_km}).",
                field="radius_km",
            )
        if self.recommend < 0:
            raise DomainError(
                f"le nombre de sites à recommander doit être positif (reçu : {self.recommend}).",
                field="recommend",
            )
        if not (1 <= self.detour_factor <= 3):
            raise DomainError(
                "le coefficient de détour doit être compris entre 1 et 3.", field="detour_factor"
            )
        if not (5 <= self.speed_kmh <= 130):
            raise DomainError("la vitesse moyenne doit être comprise entre 5 et 130 km/h.", field="speed_kmh")
        if not (1 <= self.time_limit_s <= 600):
            raise DomainError(
                "la durée maximale du calcul exact doit être comprise entre 1 et 600 s.", field="time_limit_s"
            )
        if self.exact and self.min_spacing_km:
            raise DomainError(
                "le calcul exact ne prend pas en compte l'espacement minimal : choisissez l'un ou l'autre.",
                field="exact",
            )
        if self.weights is not None and any(not (w >= 0) for w in self.weights.values()):
            raise DomainError("les poids doivent être des nombres positifs ou nuls.", field="weights")
        if any(not (0 < t <= MAX_RADIUS_KM) for t in self.thresholds_km):
            raise DomainError(
                "les seuils de distance doivent être compris entre 0 et 200 km.", field="thresholds"
            )


class GreatCircleDistances:
    """The default distance source: great-circle km to the nearest place. A routing engine would offer the
    same `nearest_km` method with road distances (and the approximations below would then be exact)."""

    name = "great-circle"

    def nearest_km(self, demand_lat, demand_lon, site_lat, site_lon):
        return engine.nearest_distances(demand_lat, demand_lon, site_lat, site_lon)


@dataclass
class CoverageResult:
    territory: Territory
    params: CoverageParams
    communes: list  # dicts, one per analysed commune
    summary: list  # dicts: the territory, then its EPCI, départements and régions
    recommended: list = field(default_factory=list)
    recommendation: dict = field(default_factory=dict)  # covered, upper bound, gap
    by_typology: list = field(default_factory=list)  # distance to the nearest place of each typology
    weights: dict = field(
        default_factory=dict
    )  # with custom weights: source, communes missing, codes ignored
    excluded: list = field(default_factory=list)  # codes of communes without coordinates
    place_count: int = 0
    run: CoverageRun | None = None
    bands: list = field(default_factory=list)  # population by band of distance (before/after the picks)
    registry_token: object = None  # the registry version the analysis read


def _demand(territory):
    qs = Commune.objects.all()
    if territory.kind == "dep":
        qs = qs.filter(department_id=territory.code)
    elif territory.kind == "reg":
        qs = qs.filter(region_id=territory.code)
    elif territory.kind == "epci":
        qs = qs.filter(epci_id=territory.code)
    rows = list(
        qs.order_by("code_insee").values_list(
            "code_insee",
            "name",
            "latitude",
            "longitude",
            "population",
            "department_id",
            "region_id",
            "epci_id",
        )
    )
    excluded = [r[0] for r in rows if r[2] is None]
    return [r for r in rows if r[2] is not None], excluded


FILTERS = (
    ("typology", Typology, "typologie inconnue"),
    ("service", Service, "service inconnu"),
    ("label", Label, "label inconnu"),
)


def _check_filters(params):
    for name, model, message in FILTERS:
        code = getattr(params, name)
        if code and not model.objects.filter(code=code).exists():
            raise DomainError(f"{message} : « {code} ».", field=name)


def typology_breakdown(lat, lon, weights, radius_km):
    """Distance from the communes to the nearest open place of each tiers-lieux typology (all its places,
    whatever the analysis' filters): the weighted mean distance and the share within `radius_km`. One query
    for the places, then one nearest-neighbour search per typology."""
    typologies = list(Typology.objects.filter(is_tiers_lieu=True).values_list("code", "name"))
    rows = (
        Place.objects.visible()
        .filter(latitude__isnull=False, typologies__is_tiers_lieu=True)
        .values_list("typologies__code", "latitude", "longitude")
    )
    points = {}
    for code, place_lat, place_lon in rows:
        points.setdefault(code, []).append((place_lat, place_lon))
    breakdown = []
    for code, name in typologies:
        sites = np.asarray(points.get(code, []), dtype=float).reshape(-1, 2)
        row = {"code": code, "name": name, "places": len(sites), "mean_km": None, "covered": 0, "share": 0.0}
        if len(sites):
            distances = engine.nearest_distances(lat, lon, sites[:, 0], sites[:, 1])
            item = engine.summarize(distances, weights, (radius_km,))
            row["mean_km"] = round(item.mean_distance_km, 2) if np.isfinite(item.mean_distance_km) else None
            row["covered"] = _amount(item.covered_weight[radius_km])
            row["share"] = round(item.covered_share[radius_km], 4)
        breakdown.append(row)
    return breakdown


def _sites(params):
    """Open, positioned places, filtered the way the directory and the API filter them."""
    query = PlaceQuery(typology=params.typology, service=params.service, label=params.label)
    rows = list(filtered_queryset(query).filter(latitude__isnull=False).values_list("latitude", "longitude"))
    return np.array([r[0] for r in rows], dtype=float), np.array([r[1] for r in rows], dtype=float)


def run_coverage(params, *, distances=None, save=True, progress=None):
    """Run a coverage analysis; raises DomainError (French message) on bad parameters or data."""
    params.validate()
    tick = progress or (lambda step: None)
    started = time.perf_counter()
    territory = parse_territory(params.territory)
    token = RegistryVersion.current()
    distances = distances or GreatCircleDistances()
    _check_filters(params)
    tick("communes")
    rows, excluded = _demand(territory)
    if not rows:
        raise DomainError(f"aucune commune avec des coordonnées dans {territory.label}.", field="territory")
    site_lat, site_lon = _sites(params)
    if len(site_lat) == 0:
        raise DomainError(
            "aucun lieu ouvert et positionné au registre"
            + (" avec ces filtres." if _filtered(params) else "."),
            field="registry",
        )
    codes = [r[0] for r in rows]
    lat = np.array([r[2] for r in rows])
    lon = np.array([r[3] for r in rows])
    population = np.array([r[4] for r in rows], dtype=float)
    weight_key = "population"
    weights_report = {}
    if params.weights is not None:
        # Every figure below is then in the file's unit: "population" becomes "weight" in the summary.
        population = np.array([float(params.weights.get(code, 0.0)) for code in codes])
        weight_key = "weight"
        analysed = set(codes)
        weights_report = {
            "source": params.weights_source,
            "communes_without_weight": sum(1 for code in codes if code not in params.weights),
            "ignored_codes": sum(1 for code in params.weights if code not in analysed),
            "total": _amount(population.sum()),
        }
    tick("distances")
    nearest = distances.nearest_km(lat, lon, site_lat, site_lon)
    thresholds = tuple(sorted(set(params.thresholds_km) | {params.radius_km}))
    communes = []
    for i, row in enumerate(rows):
        km = float(nearest[i])
        road = km * params.detour_factor
        communes.append(
            {
                "code_insee": row[0],
                "name": row[1],
                "department": row[5],
                "region": row[6],
                "epci": row[7] or "",
                "population": int(row[4]),
                "latitude": row[2],
                "longitude": row[3],
                "nearest_km": round(km, 3),
                "road_km_approx": round(road, 1),
                "minutes_approx": round(road / params.speed_kmh * 60),
                "white_zone": km > params.radius_km,
            }
        )
        if params.weights is not None:
            communes[-1]["weight"] = _amount(population[i])
    summary = [
        _row_from_summary(
            "territoire",
            territory.code or "FR",
            territory.label,
            engine.summarize(nearest, population, thresholds),
            thresholds,
            weight_key,
        )
    ]
    for scope, column, names in (
        ("epci", 7, dict(Epci.objects.values_list("siren", "name"))),
        ("département", 5, dict(Department.objects.values_list("code", "name"))),
        ("région", 6, dict(Region.objects.values_list("code", "name"))),
    ):
        groups = [r[column] or "" for r in rows]
        for code, item in sorted(engine.aggregate(groups, nearest, population, thresholds).items()):
            summary.append(
                _row_from_summary(scope, code, names.get(code, "sans EPCI"), item, thresholds, weight_key)
            )

    result = CoverageResult(
        territory=territory,
        params=params,
        communes=communes,
        summary=summary,
        excluded=excluded,
        place_count=len(site_lat),
        registry_token=token,
        weights=weights_report,
    )
    after = None
    if params.recommend:
        if params.recommend > len(rows):
            raise DomainError(
                f"impossible de recommander {params.recommend} sites parmi {len(rows)} communes candidates.",
                field="recommend",
            )
        tick("recommandation")
        solver = exact_mip.cbc_solver if params.exact and exact_mip.available() else None
        rec = engine.recommend_sites(
            lat,
            lon,
            population,
            lat,
            lon,
            params.radius_km,
            params.recommend,
            existing_lat=site_lat,
            existing_lon=site_lon,
            min_spacing_km=params.min_spacing_km,
            exact=params.exact,
            time_limit_s=params.time_limit_s,
            exact_solver=solver,
        )
        cumulative = rec.existing_weight
        for rank, (j, gain, reached) in enumerate(
            zip(rec.chosen, rec.gains, rec.reached, strict=True), start=1
        ):
            cumulative += gain
            result.recommended.append(
                {
                    "rank": rank,
                    "code_insee": codes[j],
                    "name": rows[j][1],
                    "department": rows[j][5],
                    "newly_covered": _amount(gain),
                    "communes_reached": len(reached),
                    "covered_after": _amount(cumulative),
                }
            )
        result.recommendation = {
            "covered_before": _amount(rec.existing_weight),
            "covered_after": _amount(rec.covered_weight),
            "upper_bound": int(np.ceil(rec.upper_bound)),
            "gap": round(rec.gap, 5),
            "proven_optimal": rec.exact,
        }
        if params.exact:
            result.recommendation["solver"] = exact_mip.NAME if solver else "highs"
        if rec.chosen:
            picked = np.asarray(rec.chosen)
            after = np.minimum(nearest, engine.nearest_distances(lat, lon, lat[picked], lon[picked]))
    result.bands = distance_bands(nearest, population, after)
    tick("typologies")
    result.by_typology = typology_breakdown(lat, lon, population, params.radius_km)
    if save:
        version = RegistryVersion.objects.filter(pk=1).first()
        result.run = CoverageRun.objects.create(
            parameters={
                **params.stored(),
                "thresholds_km": list(thresholds),
                "distance_source": distances.name,
            },
            registry_token=token,
            registry_changed_at=version.changed_at if version else None,
            place_count=len(site_lat),
            commune_count=len(rows),
            excluded_communes=excluded,
            summary={
                "territory": summary[0],
                "recommendation": result.recommendation,
                "bands": result.bands,
                "by_typology": result.by_typology,
            },
            recommended=result.recommended,
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
    return result


def distance_bands(distances_km, weights, after_km=None):
    """Population by band of distance to the nearest place (BAND_EDGES_KM), and with `after_km` (the
    distances once the recommended sites are open) the same after them: rows for a table and a chart."""
    weights = np.asarray(weights, dtype=float)
    total = float(weights.sum()) or 1.0
    edges = np.asarray(BAND_EDGES_KM[1:], dtype=float)

    def per_band(distances):
        band = np.searchsorted(edges, np.asarray(distances, dtype=float), side="right")
        return np.bincount(band, weights=weights, minlength=len(BAND_EDGES_KM))

    before = per_band(distances_km)
    later = per_band(after_km) if after_km is not None else None
    rows = []
    for i, low in enumerate(BAND_EDGES_KM):
        high = BAND_EDGES_KM[i + 1] if i + 1 < len(BAND_EDGES_KM) else None
        row = {
            "low": low,
            "high": high,
            "color": BAND_COLORS[i],
            "population": _amount(before[i]),
            "share": round(float(before[i]) / total, 4),
        }
        if later is not None:
            row["population_after"] = _amount(later[i])
            row["share_after"] = round(float(later[i]) / total, 4)
        rows.append(row)
    return rows


def map_data(result):
    """What the map draws, compact: the analysed communes as [code, name, lat, lon, nearest km, population],
    the recommended sites with their position, and the bands of distance with their colours."""
    communes = [
        [
            c["code_insee"],
            c["name"],
            round(c["latitude"], 5),
            round(c["longitude"], 5),
            round(c["nearest_km"], 2),
            c["population"],
        ]
        for c in result.communes
    ]
    position = {c["code_insee"]: (c["latitude"], c["longitude"]) for c in result.communes}
    picks = [
        {
            "rank": r["rank"],
            "code_insee": r["code_insee"],
            "name": r["name"],
            "lat": round(position[r["code_insee"]][0], 5),
            "lon": round(position[r["code_insee"]][1], 5),
            "newly_covered": r["newly_covered"],
            "communes_reached": r["communes_reached"],
        }
        for r in result.recommended
    ]
    # The view to open on: the whole territory, but metropolitan France for all of France (the outre-mer
    # would otherwise shrink it to a dot; the map can be moved to them).
    framed = [c for c in result.communes if not c["department"].startswith("97")]
    if result.territory.kind or not framed:
        framed = result.communes
    lats = [c["latitude"] for c in framed]
    lons = [c["longitude"] for c in framed]
    return {
        "radius_km": result.params.radius_km,
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "bands": [{"low": b["low"], "high": b["high"], "color": b["color"]} for b in result.bands],
        "communes": communes,
        "picks": picks,
    }


def map_cache_key(params, registry_token):
    """Cache key of an analysis' map data: its parameters and the registry version it read."""
    text = json.dumps(params.stored(), sort_keys=True, default=str)
    return "coverage-map:" + hashlib.sha256(f"{text}|{registry_token}".encode()).hexdigest()


def _filtered(params):
    return bool(params.typology or params.service or params.label)


def _amount(value):
    """A sum of weights as shown: an integer when it is one (populations), else 3 decimals."""
    value = float(value)
    return int(round(value)) if abs(value - round(value)) < 1e-6 else round(value, 3)


def _row_from_summary(scope, code, name, item, thresholds, weight_key="population"):
    row = {
        "scope": scope,
        "code": code,
        "name": name,
        weight_key: _amount(item.total_weight),
        "mean_km": round(item.mean_distance_km, 2)
        if item.mean_distance_km == item.mean_distance_km
        else None,
    }
    for t in thresholds:
        label = f"{t:g}"
        row[f"covered_{label}km"] = _amount(item.covered_weight[t])
        row[f"share_{label}km"] = round(item.covered_share[t], 4)
    return row


INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
MAX_REPORTED_ERRORS = 20


def read_weights(path):
    """Demand weights from a CSV file with a header line `code_insee;weight` (UTF-8, `;` or `,` or tab as
    separator, decimal comma accepted): {code INSEE: weight}. Every bad line is reported with its number in
    one DomainError (the first 20)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DomainError(f"fichier de poids introuvable : {path}.", field="weights") from None
    except UnicodeDecodeError:
        raise DomainError(
            f"le fichier de poids {path.name} n'est pas en UTF-8 : enregistrez-le en UTF-8 (CSV UTF-8).",
            field="weights",
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(
            f"le fichier de poids {path.name} est vide : attendu une ligne d'en-tête code_insee;weight "
            "puis une ligne par commune.",
            field="weights",
        )
    header = lines[0]
    delimiter = next((d for d in (";", "\t", ",") if d in header), ";")
    reader = csv.reader(lines, delimiter=delimiter)
    columns = [c.strip().lower() for c in next(reader)]
    if "code_insee" not in columns or "weight" not in columns:
        raise DomainError(
            f"{path.name}, ligne 1 : colonnes attendues code_insee et weight (séparées par « ; »), "
            f"trouvé : {', '.join(columns) or 'rien'}.",
            field="weights",
        )
    code_at, weight_at = columns.index("code_insee"), columns.index("weight")
    weights, first_line, errors = {}, {}, []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_at].strip().upper() if len(row) > code_at else ""
        raw = row[weight_at].strip() if len(row) > weight_at else ""
        problem = None
        if not code:
            problem = "code INSEE manquant"
        elif not INSEE_CODE.match(code):
            hint = f" (zéro initial perdu ? essayez 0{code})" if re.fullmatch(r"\d{4}", code) else ""
            problem = f"code INSEE « {code} » mal formé : 5 caractères attendus, comme 15014 ou 2A004{hint}"
        elif code in first_line:
            problem = f"code INSEE {code} déjà donné ligne {first_line[code]}"
        else:
            number_text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
            try:
                value = float(number_text)
            except ValueError:
                value = None
            if not raw:
                problem = f"poids manquant pour {code}"
            elif value is None or not np.isfinite(value):
                problem = f"poids « {raw} » illisible pour {code} : un nombre est attendu (par exemple 12,5)"
            elif value < 0:
                problem = f"poids négatif ({raw}) pour {code}"
            else:
                weights[code] = value
                first_line[code] = number
        if problem:
            errors.append(f"ligne {number} : {problem}")
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        more = len(errors) - len(shown)
        raise DomainError(
            f"fichier de poids {path.name} : {len(errors)} ligne(s) invalide(s).\n"
            + "\n".join(shown)
            + (f"\n… et {more} autre(s)." if more else ""),
            field="weights",
        )
    if not weights:
        raise DomainError(f"le fichier de poids {path.name} ne contient aucune commune.", field="weights")
    return weights


@dataclass
class PruneReport:
    total: int  # runs stored before pruning
    deleted: int  # runs deleted (or that would be, in a dry run)
    kept_recent: int  # kept: younger than keep_days
    kept_latest: int  # kept: older, but the newest run of their parameter set


def prune_runs(keep_days, *, dry_run=False, now=None):
    """Delete the stored runs older than `keep_days`, except the newest run of each parameter set (the one
    to cite for that analysis: same territory, radius, filters…). With `dry_run`, only count."""
    if keep_days is None or keep_days < 0:
        raise DomainError(
            f"le nombre de jours à conserver doit être positif ou nul (reçu : {keep_days}).",
            field="keep_days",
        )
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    seen, doomed = set(), []
    report = PruneReport(total=0, deleted=0, kept_recent=0, kept_latest=0)
    runs = CoverageRun.objects.order_by("-created_at", "-pk").values_list("pk", "created_at", "parameters")
    for pk, created_at, parameters in runs.iterator(chunk_size=2000):
        report.total += 1
        key = json.dumps(parameters, sort_keys=True, default=str)
        if created_at >= cutoff:
            report.kept_recent += 1
        elif key not in seen:
            report.kept_latest += 1
        else:
            doomed.append(pk)
        seen.add(key)
    report.deleted = len(doomed)
    if not dry_run:
        with transaction.atomic():
            for start in range(0, len(doomed), 500):
                CoverageRun.objects.filter(pk__in=doomed[start : start + 500]).delete()
    return report


def write_exports(result, output_dir):
    """communes.csv, summary.csv and, with a recommendation, recommended.csv (`;`, UTF-8); the same tables
    in one OpenDocument spreadsheet (coverage.ods); communes as GeoJSON points with their figures."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    tables = {"communes": result.communes, "summary": result.summary}
    if result.recommended:
        tables["recommended"] = result.recommended
    written = [_write_csv(output_dir / f"{name}.csv", rows) for name, rows in tables.items()]
    written.append(_write_ods(output_dir / "coverage.ods", tables))
    written.append(_write_geojson(output_dir / "communes.geojson", result))
    return written


def _write_ods(path, tables):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    document = OpenDocumentSpreadsheet()
    for name, rows in tables.items():
        table = Table(name=name)
        if rows:
            for values in [list(rows[0]), *([row[k] for k in rows[0]] for row in rows)]:
                table_row = TableRow()
                for value in values:
                    if isinstance(value, bool) or value is None or isinstance(value, str):
                        cell = TableCell(valuetype="string")
                        cell.addElement(P(text="" if value is None else str(value)))
                    else:
                        cell = TableCell(valuetype="float", value=value)
                        cell.addElement(P(text=str(value)))
                    table_row.addElement(cell)
                table.addElement(table_row)
        document.spreadsheet.addElement(table)
    document.save(str(path))
    return path


def _write_geojson(path, result):
    recommended = {r["code_insee"]: r["rank"] for r in result.recommended}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [c["longitude"], c["latitude"]]},
            "properties": {
                **{k: v for k, v in c.items() if k not in ("latitude", "longitude")},
                "recommended_rank": recommended.get(c["code_insee"]),
            },
        }
        for c in result.communes
    ]
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"type": "FeatureCollection", "features": features}, handle, ensure_ascii=False)
    return path


def _write_csv(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        if rows:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]), delimiter=";", lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return path
