"""Distance from the analysed communes to the nearest place of each tiers-lieux typology, with how many places
of that typology the registry holds in the territory and within reach of it.

A typology few places are typed with says more about the registry than about the territory (« le lieu de ce
type le plus proche est à 402 km » when only 2 places in France carry it): such a row is marked `few` and the
page shows a warning instead of its figures.
"""

import numpy as np

from relais.places.models import Place, Typology

from . import engine
from .figures import amount

# Below this many places of a typology in the territory and within reach of it, its distances are not shown
# as a figure: « peu de lieux de ce type sont typés dans le registre ».
FEW_TYPED_PLACES = 5


def typology_breakdown(demand, weights, radius_km):
    """One row per tiers-lieux typology (all its open, positioned places, whatever the analysis' filters):
    `places` in the whole registry, `places_in_territory` (located in an analysed commune or in one without
    coordinates), `places_nearby` (outside, but within `radius_km` of an analysed commune), `few` when those
    two add up to fewer than FEW_TYPED_PLACES, then the weighted mean distance to the nearest one, the
    weight within `radius_km` and its share. One query for the places, one nearest-neighbour search per
    typology."""
    typologies = list(Typology.objects.filter(is_tiers_lieu=True).values_list("code", "name"))
    rows = (
        Place.objects.visible()
        .filter(latitude__isnull=False, typologies__is_tiers_lieu=True)
        .values_list("typologies__code", "latitude", "longitude", "commune_id")
    )
    points, communes = {}, {}
    for code, place_lat, place_lon, commune in rows:
        points.setdefault(code, []).append((place_lat, place_lon))
        communes.setdefault(code, []).append(commune)
    territory = set(demand.codes) | set(demand.excluded)
    breakdown = []
    for code, name in typologies:
        sites = np.asarray(points.get(code, []), dtype=float).reshape(-1, 2)
        row = {"code": code, "name": name, "places": len(sites), "mean_km": None, "covered": 0, "share": 0.0}
        inside = np.array([c in territory for c in communes.get(code, [])], dtype=bool)
        row["places_in_territory"] = int(inside.sum())
        row["places_nearby"] = 0
        if len(sites):
            reach = engine.nearest_distances(sites[:, 0], sites[:, 1], demand.lat, demand.lon)
            row["places_nearby"] = int(((reach <= radius_km) & ~inside).sum())
            distances = engine.nearest_distances(demand.lat, demand.lon, sites[:, 0], sites[:, 1])
            item = engine.summarize(distances, weights, (radius_km,))
            row["mean_km"] = round(item.mean_distance_km, 2) if np.isfinite(item.mean_distance_km) else None
            row["covered"] = amount(item.covered_weight[radius_km])
            row["share"] = round(item.covered_share[radius_km], 4)
        row["few"] = row["places_in_territory"] + row["places_nearby"] < FEW_TYPED_PLACES
        breakdown.append(row)
    return breakdown
