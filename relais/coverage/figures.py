"""How an analysis is shown: amounts, bands of distance (table, chart, map) and the map's data."""

import hashlib
import json

import numpy as np

# Bands of distance to the nearest place (lower edges, km; the last one is open-ended) and their colours on
# the map and in the chart: ColorBrewer YlOrRd, a single-hue sequence readable with colour-blindness.
BAND_EDGES_KM = (0, 5, 10, 20, 30)
BAND_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def amount(value):
    """A sum of weights as shown: an integer when it is one (populations), else 3 decimals."""
    value = float(value)
    return int(round(value)) if abs(value - round(value)) < 1e-6 else round(value, 3)


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
            "population": amount(before[i]),
            "share": round(float(before[i]) / total, 4),
        }
        if later is not None:
            row["population_after"] = amount(later[i])
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
