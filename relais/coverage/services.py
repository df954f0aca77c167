"""Coverage analyses on the registry: load communes and places, run the engine, store the run, export it.

The engine (`engine.py`) works on arrays; this module is the thin adapter between it and the database,
shared by the `coverage` command and the API.
"""

import csv
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from relais.core.errors import DomainError, NotFound
from relais.places.models import RegistryVersion
from relais.places.search import PlaceQuery, filtered_queryset
from relais.territory.models import Commune, Department, Epci, Region

from . import engine
from .models import CoverageRun

MAX_RADIUS_KM = 200
DEFAULT_THRESHOLDS = (5, 10, 20)


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
    # Exact mode (MILP solved by HiGHS) for those who can wait; the fast answer is kept when it cannot
    # prove the optimum within the time limit.
    exact: bool = False
    time_limit_s: float = 60.0

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
    excluded: list = field(default_factory=list)  # codes of communes without coordinates
    place_count: int = 0
    run: CoverageRun | None = None


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
    distances = distances or GreatCircleDistances()
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
                "nearest_km": round(km, 3),
                "road_km_approx": round(road, 1),
                "minutes_approx": round(road / params.speed_kmh * 60),
                "white_zone": km > params.radius_km,
            }
        )
    summary = [
        _summary_row("territoire", territory.code or "FR", territory.label, nearest, population, thresholds)
    ]
    for scope, column, names in (
        ("epci", 7, dict(Epci.objects.values_list("siren", "name"))),
        ("département", 5, dict(Department.objects.values_list("code", "name"))),
        ("région", 6, dict(Region.objects.values_list("code", "name"))),
    ):
        groups = [r[column] or "" for r in rows]
        for code, item in sorted(engine.aggregate(groups, nearest, population, thresholds).items()):
            summary.append(_row_from_summary(scope, code, names.get(code, "sans EPCI"), item, thresholds))

    result = CoverageResult(
        territory=territory,
        params=params,
        communes=communes,
        summary=summary,
        excluded=excluded,
        place_count=len(site_lat),
    )
    if params.recommend:
        if params.recommend > len(rows):
            raise DomainError(
                f"impossible de recommander {params.recommend} sites parmi {len(rows)} communes candidates.",
                field="recommend",
            )
        tick("recommandation")
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
                    "newly_covered": int(gain),
                    "communes_reached": len(reached),
                    "covered_after": int(cumulative),
                }
            )
        result.recommendation = {
            "covered_before": int(rec.existing_weight),
            "covered_after": int(rec.covered_weight),
            "upper_bound": int(np.ceil(rec.upper_bound)),
            "gap": round(rec.gap, 5),
            "proven_optimal": rec.exact,
        }
    if save:
        token = RegistryVersion.current()
        version = RegistryVersion.objects.filter(pk=1).first()
        result.run = CoverageRun.objects.create(
            parameters={
                **asdict(params),
                "thresholds_km": list(thresholds),
                "distance_source": distances.name,
            },
            registry_token=token,
            registry_changed_at=version.changed_at if version else None,
            place_count=len(site_lat),
            commune_count=len(rows),
            excluded_communes=excluded,
            summary={"territory": summary[0], "recommendation": result.recommendation},
            recommended=result.recommended,
            duration_ms=int((time.perf_counter() - started) * 1000),
        )
    return result


def _filtered(params):
    return bool(params.typology or params.service or params.label)


def _summary_row(scope, code, name, distances, population, thresholds):
    return _row_from_summary(
        scope, code, name, engine.summarize(distances, population, thresholds), thresholds
    )


def _row_from_summary(scope, code, name, item, thresholds):
    row = {
        "scope": scope,
        "code": code,
        "name": name,
        "population": int(item.total_weight),
        "mean_km": round(item.mean_distance_km, 2)
        if item.mean_distance_km == item.mean_distance_km
        else None,
    }
    for t in thresholds:
        label = f"{t:g}"
        row[f"covered_{label}km"] = int(item.covered_weight[t])
        row[f"share_{label}km"] = round(item.covered_share[t], 4)
    return row


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
    codes = [c["code_insee"] for c in result.communes]
    points = {
        code: (lon, lat)
        for code, lon, lat in Commune.objects.filter(code_insee__in=codes).values_list(
            "code_insee", "longitude", "latitude"
        )
    }
    recommended = {r["code_insee"]: r["rank"] for r in result.recommended}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": list(points[c["code_insee"]])},
            "properties": {**c, "recommended_rank": recommended.get(c["code_insee"])},
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
