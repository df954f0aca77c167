"""Geocoding the registry's places (`manage.py geocode_places`): select them, ask a geocoder by batches,
keep only the answers that are sure enough, in the place's commune and near it, and write them through
`services.update_place`, so that the audit trail and the registry version (search index) follow."""

from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.errors import DomainError
from relais.territory.geo import haversine_km
from relais.territory.models import CommuneAlias

from .. import services
from ..models import Place, PositionSource
from . import AddressQuery

MIN_SCORE = 0.6
MAX_KM = services.FAR_FROM_COMMUNE_KM  # beyond it an address is not the one of a place of that commune
BATCH_SIZE = 500  # places per request to the geocoder and per transaction (about 30 s of writes)
SCORE_BUCKETS = (0.9, 0.8, 0.7, 0.6, 0.5, 0.0)  # lower bounds, best first
SAMPLES = 20  # refusals shown by name

REFUSALS = {
    "not_found": _("adresse introuvable"),
    "low_score": _("score trop bas"),
    "municipality": _("seule la commune a été trouvée"),
    "other_commune": _("adresse trouvée dans une autre commune"),
    "too_far": _("position trop loin de la commune"),
    "changed": _("position modifiée entre-temps"),
    "invalid": _("fiche refusée à l'enregistrement"),
}


@dataclass
class GeocodingRun:
    dry_run: bool
    min_score: float
    max_km: float
    selected: int = 0
    found: int = 0
    accepted: int = 0
    written: int = 0
    refused: Counter = field(default_factory=Counter)  # reason (REFUSALS key) → places
    scores: Counter = field(default_factory=Counter)  # lower bound of the bucket → results found
    types: Counter = field(default_factory=Counter)  # result type → results found
    samples: list = field(default_factory=list)  # (place name, commune code, reason label, detail)


def select_places(*, everything=False, communes=(), departments=()):
    """Places to geocode: those with an address whose position is only their commune's centre (all those
    with an address with `everything`), never a position set by the team, never a closed place."""
    places = (
        Place.objects.visible()
        .exclude(address="")
        .exclude(position_source=PositionSource.TEAM)
        .select_related("commune")
    )
    if not everything:
        places = places.filter(location_approximate=True)
    if communes:
        places = places.filter(commune_id__in=communes)
    if departments:
        places = places.filter(commune__department_id__in=departments)
    return places.order_by("pk")


def score_bucket(score):
    return next(bound for bound in SCORE_BUCKETS if score >= bound)


def refusal(place, result, codes_of_commune, *, min_score, max_km):
    """Why a result is not taken for the place (a REFUSALS key and a detail), or None when it is."""
    if result is None:
        return "not_found", ""
    if result.score < min_score:
        return "low_score", f"{result.score:.2f}"
    if result.result_type == "municipality":
        return "municipality", result.label
    if result.citycode not in codes_of_commune:
        return "other_commune", f"{result.label} ({result.citycode})"
    commune = place.commune
    if commune.latitude is not None:
        distance = float(haversine_km(result.latitude, result.longitude, commune.latitude, commune.longitude))
        if distance > max_km:
            return "too_far", f"{distance:.0f} km"
    return None


def geocode_places(
    geocoder, places, actor, *, min_score=MIN_SCORE, max_km=MAX_KM, dry_run=True, progress=None
):
    """Geocode `places` (a queryset) by batches; write the accepted positions unless `dry_run`. Returns a
    GeocodingRun. Raises GeocodingUnavailable when the service fails: the batches already written stay."""
    run = GeocodingRun(dry_run=dry_run, min_score=min_score, max_km=max_km)
    ids = list(places.values_list("pk", flat=True))
    run.selected = len(ids)
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(Place.objects.filter(pk__in=ids[start : start + BATCH_SIZE]).select_related("commune"))
        _geocode_batch(geocoder, batch, actor, run)
        if progress is not None:
            progress(len(batch))
    return run


def _geocode_batch(geocoder, batch, actor, run):
    queries = [AddressQuery(str(p.pk), p.address, p.postal_code, p.commune_id, p.commune.name) for p in batch]
    results = geocoder.geocode(queries)
    codes = _codes_of_communes({p.commune_id for p in batch})
    accepted = []
    for place in batch:
        result = results.get(str(place.pk))
        if result is not None:
            run.found += 1
            run.scores[score_bucket(result.score)] += 1
            run.types[result.result_type or "?"] += 1
        why = refusal(place, result, codes[place.commune_id], min_score=run.min_score, max_km=run.max_km)
        if why is None:
            accepted.append((place, result))
        else:
            _refuse(run, place, *why)
    run.accepted += len(accepted)
    if run.dry_run or not accepted:
        return
    now = timezone.now()
    with transaction.atomic():
        for place, result in accepted:
            current = (
                Place.objects.select_for_update()
                .filter(pk=place.pk)
                .values_list("latitude", "longitude", "position_source")
            )
            if list(current) != [(place.latitude, place.longitude, place.position_source)]:
                _refuse(run, place, "changed", "")
                continue
            data = {
                "latitude": round(result.latitude, 6),
                "longitude": round(result.longitude, 6),
                "location_approximate": False,
                "position_source": PositionSource.GEOCODED,
                "geocode_score": result.score,
                "geocoded_at": now,
            }
            try:
                services.update_place(place, data, actor)
            except DomainError as exc:
                _refuse(run, place, "invalid", exc.message)
                continue
            run.written += 1


def _refuse(run, place, reason, detail):
    run.refused[reason] += 1
    if len(run.samples) < SAMPLES:
        run.samples.append((place.name, place.commune_id, str(REFUSALS[reason]), detail))


def _codes_of_communes(codes):
    """{commune code: the codes a result in it may carry}: its own, its municipal arrondissements' and its
    former communes' (CommuneAlias)."""
    found = {code: {code} for code in codes}
    for alias, commune in CommuneAlias.objects.filter(commune_id__in=codes).values_list("code", "commune_id"):
        found[commune].add(alias)
    return found
