"""Coverage analyses on the registry: load communes and places, run the engine, shape its results.

The engine (`engine.py`) works on arrays; this module is the thin adapter between it and the database,
shared by the page (and its map data), the `coverage` command and the API. `run_coverage` is a sequence of
named steps: load the demand (communes) and the sites (places), weigh the demand, measure the distances,
summarise them by area, recommend sites, count the population by band of distance and by typology. An
analysis is stored (`runs.keep_run`) only when asked: the command does, a person may from the page.
Elsewhere: the files of an analysis (`exports.py`), bands and map data (`figures.py`), demand weights read
from a CSV file (`weights.py`), stored runs and their retention (`runs.py`), the candidate communes a person
allows (`candidates.py`), the distance to each typology (`typologies.py`).
"""

import time
from dataclasses import asdict, dataclass, field

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError, NotFound
from relais.places.models import Label, RegistryVersion, Service, Typology
from relais.places.search import PlaceQuery, filtered_queryset
from relais.territory.models import Commune, Department, Epci, Region

from . import engine
from . import exact as exact_mip
from .candidates import candidate_mask, check_candidate_params
from .figures import amount, distance_bands
from .models import CoverageRun
from .runs import keep_run
from .typologies import typology_breakdown

MAX_RADIUS_KM = 200
DEFAULT_THRESHOLDS = (5, 10, 20)
# The populations of the reference geography (data/README.md, communes.csv.gz): the populations légales
# millésime 2023 in force on 1 January 2026; the territory pages show the same figures.
POPULATION_YEAR = 2023


def population_source():
    """Which population the figures are, for the people who read them."""
    return _("population municipale %(year)s, INSEE ; populations légales en vigueur au 1er janvier 2026") % {
        "year": POPULATION_YEAR
    }


@dataclass(frozen=True)
class Territory:
    kind: str  # "", "dep", "reg", "epci"
    code: str
    name: str

    @property
    def label(self):
        return self.name if self.kind else "France"


TERRITORY_MODELS = {"dep": Department, "reg": Region, "epci": Epci}


def parse_territory(text):
    """ "dep:15", "reg:84", "epci:200066637" or "" (all of France) → Territory; DomainError otherwise."""
    text = (text or "").strip()
    if not text:
        return Territory("", "", "France")
    kind, _sep, code = text.partition(":")
    if kind not in TERRITORY_MODELS or not code:
        raise DomainError(
            _(
                "territoire « %(text)s » mal écrit : attendu dep:CODE, reg:CODE ou epci:SIREN "
                "(par exemple dep:15)."
            )
            % {"text": text},
            field="territory",
        )
    obj = TERRITORY_MODELS[kind].objects.filter(pk=code.upper() if kind == "dep" else code).first()
    if obj is None:
        unknown = {
            "dep": _("département inconnu : « %(code)s »."),
            "reg": _("région inconnue : « %(code)s »."),
            "epci": _("EPCI inconnu : « %(code)s »."),
        }[kind]
        raise NotFound(unknown % {"code": code}, field="territory")
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
    # The fast answer continues with an exact solve for this long when its proven gap on the population its
    # picks add is above 0.1 % and the problem is small (engine.recommend_sites); 0 turns that off.
    exact_budget_s: float = engine.EXACT_BUDGET_S
    # Demand weights other than the population (e.g. people aged 60 and over): {code INSEE: weight}, read
    # by `weights.read_weights`; the analysed communes missing from it weigh 0. `weights_source` names the
    # file.
    weights: dict | None = field(default=None, repr=False)
    weights_source: str = ""
    # Where recommended sites may go (candidates.py): communes of at least this population, only the listed
    # communes (INSEE codes or names, as typed), not the communes already within `radius_km` of a place.
    candidate_min_population: int | None = 0
    candidate_communes: tuple = ()
    candidate_exclude_covered: bool = False

    def stored(self):
        """The parameters as recorded with a run (the weights by their source and size, not their values)."""
        values = asdict(self)
        values["thresholds_km"] = list(self.thresholds_km)
        values["candidate_communes"] = list(self.candidate_communes)
        weights = values.pop("weights")
        values.pop("weights_source")
        if weights is not None:
            values["weights"] = {
                "source": self.weights_source,
                "communes": len(weights),
                "total": amount(sum(weights.values())),
            }
        return values

    def validate(self):
        checks = (
            (
                0 < self.radius_km <= MAX_RADIUS_KM,
                "radius_km",
                _("le rayon doit être compris entre 0 et %(max)s km (reçu : %(value)s).")
                % {"max": MAX_RADIUS_KM, "value": self.radius_km},
            ),
            (
                self.recommend >= 0,
                "recommend",
                _("le nombre de sites à recommander doit être positif (reçu : %(value)s).")
                % {"value": self.recommend},
            ),
            (
                1 <= self.detour_factor <= 3,
                "detour_factor",
                _("le coefficient de détour doit être compris entre 1 et 3."),
            ),
            (
                5 <= self.speed_kmh <= 130,
                "speed_kmh",
                _("la vitesse moyenne doit être comprise entre 5 et 130 km/h."),
            ),
            (
                1 <= self.time_limit_s <= 600,
                "time_limit_s",
                _("la durée maximale du calcul exact doit être comprise entre 1 et 600 s."),
            ),
            (
                0 <= self.exact_budget_s <= 60,
                "exact_budget_s",
                _("la durée du calcul exact après la réponse rapide doit être comprise entre 0 et 60 s."),
            ),
            (
                not (self.exact and self.min_spacing_km),
                "exact",
                _(
                    "le calcul exact ne prend pas en compte l'espacement minimal : "
                    "choisissez l'un ou l'autre."
                ),
            ),
            (
                self.weights is None or all(w >= 0 for w in self.weights.values()),
                "weights",
                _("les poids doivent être des nombres positifs ou nuls."),
            ),
            (
                all(0 < t <= MAX_RADIUS_KM for t in self.thresholds_km),
                "thresholds",
                _("les seuils de distance doivent être compris entre 0 et %(max)s km.")
                % {"max": MAX_RADIUS_KM},
            ),
        ) + check_candidate_params(self)
        for ok, name, message in checks:
            if not ok:
                raise DomainError(message, field=name)


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
    recommendation: dict = field(default_factory=dict)  # covered, upper bound, gap, proven optimal
    by_typology: list = field(default_factory=list)  # distance to the nearest place of each typology
    weights: dict = field(
        default_factory=dict
    )  # with custom weights: source, communes missing, codes ignored
    excluded: list = field(default_factory=list)  # codes of communes without coordinates
    # The territory's population (all its communes), the part analysed, its source: population_figure.
    population: dict = field(default_factory=dict)
    place_count: int = 0
    run: CoverageRun | None = None  # the stored run, when the analysis was kept
    bands: list = field(default_factory=list)  # population by band of distance (before/after the picks)
    registry_token: object = None  # the registry version the analysis read
    thresholds: tuple = ()  # the distances summarised (the thresholds and the radius), km
    distance_source: str = ""
    duration_ms: int = 0


@dataclass
class Demand:
    """The analysed communes (those with coordinates), as arrays in INSEE code order."""

    codes: list
    names: list
    lat: np.ndarray
    lon: np.ndarray
    population: np.ndarray
    departments: list
    regions: list
    epcis: list  # "" for a commune outside any EPCI
    excluded: list  # codes of the territory's communes without coordinates
    excluded_population: int = 0  # their population: counted in the territory's, not in the distances

    def __len__(self):
        return len(self.codes)


def load_demand(territory):
    """The communes of the territory: those with coordinates as a Demand, the others excluded by code."""
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
            named=True,
        )
    )
    located = [r for r in rows if r.latitude is not None]
    return Demand(
        codes=[r.code_insee for r in located],
        names=[r.name for r in located],
        lat=np.array([r.latitude for r in located], dtype=float),
        lon=np.array([r.longitude for r in located], dtype=float),
        population=np.array([r.population for r in located], dtype=float),
        departments=[r.department_id for r in located],
        regions=[r.region_id for r in located],
        epcis=[r.epci_id or "" for r in located],
        excluded=[r.code_insee for r in rows if r.latitude is None],
        excluded_population=sum(r.population for r in rows if r.latitude is None),
    )


def population_figure(demand):
    """The territory's population as every page gives it: the population municipale of all its communes (the
    territory pages' figure), the part the distances are measured on (the communes with coordinates), the
    part left out, and the source of the figures."""
    analysed = int(demand.population.sum())
    return {
        "total": analysed + demand.excluded_population,
        "communes": len(demand) + len(demand.excluded),
        "analysed": analysed,
        "excluded": demand.excluded_population,
        "source": population_source(),
    }


def _check_filters(params):
    unknown = (
        ("typology", Typology, _("typologie inconnue : « %(code)s ».")),
        ("service", Service, _("service inconnu : « %(code)s ».")),
        ("label", Label, _("label inconnu : « %(code)s ».")),
    )
    for name, model, message in unknown:
        code = getattr(params, name)
        if code and not model.objects.filter(code=code).exists():
            raise DomainError(message % {"code": code}, field=name)


def load_sites(params):
    """Open, positioned places, filtered the way the directory and the API filter them: (lat, lon) arrays."""
    query = PlaceQuery(typology=params.typology, service=params.service, label=params.label)
    rows = list(filtered_queryset(query).filter(latitude__isnull=False).values_list("latitude", "longitude"))
    points = np.asarray(rows, dtype=float).reshape(-1, 2)
    return points[:, 0], points[:, 1]


def demand_weights(demand, params):
    """The weight of each commune (its population, or the file's weights) and, with a file, a report of what
    it missed: (weights array, summary key "population" or "weight", report)."""
    if params.weights is None:
        return demand.population, "population", {}
    weights = np.array([float(params.weights.get(code, 0.0)) for code in demand.codes])
    analysed = set(demand.codes)
    report = {
        "source": params.weights_source,
        "communes_without_weight": sum(1 for code in demand.codes if code not in params.weights),
        "ignored_codes": sum(1 for code in params.weights if code not in analysed),
        "total": amount(weights.sum()),
    }
    return weights, "weight", report


def commune_rows(demand, nearest, weights, params):
    """One dict per analysed commune: its distance to the nearest place, estimated road km and minutes."""
    rows = []
    for i, code in enumerate(demand.codes):
        km = float(nearest[i])
        road = km * params.detour_factor
        row = {
            "code_insee": code,
            "name": demand.names[i],
            "department": demand.departments[i],
            "region": demand.regions[i],
            "epci": demand.epcis[i],
            "population": int(demand.population[i]),
            "latitude": float(demand.lat[i]),
            "longitude": float(demand.lon[i]),
            "nearest_km": round(km, 3),
            "road_km_approx": round(road, 1),
            "minutes_approx": round(road / params.speed_kmh * 60),
            "white_zone": km > params.radius_km,
        }
        if params.weights is not None:
            row["weight"] = amount(weights[i])
        rows.append(row)
    return rows


def summary_rows(territory, demand, nearest, weights, thresholds, weight_key):
    """The territory's summary, then one row per EPCI, département and région of its communes."""
    rows = [
        _summary_row(
            "territoire",
            territory.code or "FR",
            territory.label,
            engine.summarize(nearest, weights, thresholds),
            thresholds,
            weight_key,
        )
    ]
    areas = (
        ("epci", demand.epcis, dict(Epci.objects.values_list("siren", "name"))),
        ("département", demand.departments, dict(Department.objects.values_list("code", "name"))),
        ("région", demand.regions, dict(Region.objects.values_list("code", "name"))),
    )
    for scope, groups, names in areas:
        for code, item in sorted(engine.aggregate(groups, nearest, weights, thresholds).items()):
            name = names.get(code, _("sans EPCI"))
            rows.append(_summary_row(scope, code, name, item, thresholds, weight_key))
    return rows


def _summary_row(scope, code, name, item, thresholds, weight_key="population"):
    row = {
        "scope": scope,
        "code": code,
        "name": name,
        weight_key: amount(item.total_weight),
        "mean_km": round(item.mean_distance_km, 2) if np.isfinite(item.mean_distance_km) else None,
    }
    for t in thresholds:
        label = f"{t:g}"
        row[f"covered_{label}km"] = amount(item.covered_weight[t])
        row[f"share_{label}km"] = round(item.covered_share[t], 4)
    return row


def recommend(result, demand, sites, nearest, weights):
    """Where `params.recommend` new places would cover the most uncovered weight: fills the result's
    recommended sites and recommendation figures; returns the distances once they are open (None without)."""
    params = result.params
    mask = candidate_mask(demand, params, nearest)
    candidates = len(demand) if mask is None else int(mask.sum())
    if mask is not None and not candidates:
        raise DomainError(
            _(
                "aucune commune candidate ne remplit ces conditions (population minimale, liste de communes, "
                "communes déjà couvertes exclues) : assouplissez-les."
            ),
            field=next(
                name
                for name in ("candidate_communes", "candidate_min_population", "candidate_exclude_covered")
                if getattr(params, name)
            ),
        )
    if params.recommend > candidates:
        raise DomainError(
            # Translators: %(sites)s is « 3 sites », %(communes)s « 2 communes candidates »
            _("impossible de recommander %(sites)s parmi %(communes)s.")
            % {
                "sites": ngettext("%(k)s site", "%(k)s sites", params.recommend) % {"k": params.recommend},
                "communes": ngettext("%(n)s commune candidate", "%(n)s communes candidates", candidates)
                % {"n": candidates},
            },
            field="recommend",
        )
    solver = exact_mip.cbc_solver if exact_mip.available() else None
    rec = engine.recommend_sites(
        demand.lat,
        demand.lon,
        weights,
        demand.lat,
        demand.lon,
        params.radius_km,
        params.recommend,
        existing_lat=sites[0],
        existing_lon=sites[1],
        min_spacing_km=params.min_spacing_km,
        exact=params.exact,
        time_limit_s=params.time_limit_s,
        exact_budget_s=params.exact_budget_s,
        exact_solver=solver,
        candidate_mask=mask,
    )
    cumulative = rec.existing_weight
    for rank, (j, gain, reached) in enumerate(zip(rec.chosen, rec.gains, rec.reached, strict=True), start=1):
        cumulative += gain
        result.recommended.append(
            {
                "rank": rank,
                "code_insee": demand.codes[j],
                "name": demand.names[j],
                "department": demand.departments[j],
                "newly_covered": amount(gain),
                "communes_reached": len(reached),
                "covered_after": amount(cumulative),
            }
        )
    result.recommendation = {
        "candidates": candidates,  # the communes where a site could go
        "covered_before": amount(rec.existing_weight),
        "covered_after": amount(rec.covered_weight),
        "upper_bound": int(np.ceil(rec.upper_bound)),
        "gap": round(rec.gap, 5),
        "gap_added": round(rec.gap_added, 5),  # the same on the weight the picks add
        "proven_optimal": rec.exact,
    }
    if params.exact or rec.solver_used:
        result.recommendation["solver"] = exact_mip.NAME if solver else "highs"
    if not rec.chosen:
        return None
    picked = np.asarray(rec.chosen)
    return np.minimum(
        nearest, engine.nearest_distances(demand.lat, demand.lon, demand.lat[picked], demand.lon[picked])
    )


def run_coverage(params, *, distances=None, save=False, kept_by=None, progress=None):
    """Run a coverage analysis; raises DomainError (French message) on bad parameters or data. With `save`,
    the run is stored (`runs.keep_run`, on behalf of `kept_by`); otherwise nothing is written."""
    params.validate()
    tick = progress or (lambda step: None)
    started = time.perf_counter()
    territory = parse_territory(params.territory)
    token = RegistryVersion.current()
    distances = distances or GreatCircleDistances()
    _check_filters(params)
    tick(_("communes"))
    demand = load_demand(territory)
    if not len(demand):
        raise DomainError(
            _("aucune commune avec des coordonnées dans %(territory)s.") % {"territory": territory.label},
            field="territory",
        )
    sites = load_sites(params)
    if len(sites[0]) == 0:
        filtered = params.typology or params.service or params.label
        raise DomainError(
            _("aucun lieu ouvert et positionné au registre avec ces filtres.")
            if filtered
            else _("aucun lieu ouvert et positionné au registre."),
            field="registry",
        )
    weights, weight_key, weights_report = demand_weights(demand, params)
    tick(_("distances"))
    nearest = distances.nearest_km(demand.lat, demand.lon, sites[0], sites[1])
    thresholds = tuple(sorted(set(params.thresholds_km) | {params.radius_km}))
    result = CoverageResult(
        territory=territory,
        params=params,
        communes=commune_rows(demand, nearest, weights, params),
        summary=summary_rows(territory, demand, nearest, weights, thresholds, weight_key),
        excluded=demand.excluded,
        population=population_figure(demand),
        place_count=len(sites[0]),
        registry_token=token,
        weights=weights_report,
        thresholds=thresholds,
        distance_source=distances.name,
    )
    after = None
    if params.recommend:
        tick(_("recommandation"))
        after = recommend(result, demand, sites, nearest, weights)
    result.bands = distance_bands(nearest, weights, after)
    tick(_("typologies"))
    result.by_typology = typology_breakdown(demand, weights, params.radius_km)
    result.duration_ms = int((time.perf_counter() - started) * 1000)
    if save:
        keep_run(result, kept_by=kept_by)
    return result
