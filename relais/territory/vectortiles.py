"""The default basemap: a small vector PMTiles file of the reference geography, so that a map with no tile
server still shows régions, départements and the names of the communes (issue 11 §2).

Plain data in, a file out, no Django (like `geo.py`): `build_basemap` takes the département contours (a
GeoJSON FeatureCollection with `code` and `nom`), the régions of the départements and the communes as
`Place` tuples, and writes a PMTiles v3 archive of Mapbox Vector Tiles (gzip), zooms `MIN_ZOOM`…`MAX_ZOOM`.
`manage.py build_basemap` feeds it from the territory tables.

Layers (the style is relais/core/static/relais/basemap.js):
    regions          polygons of the régions (the départements dissolved), `name`
    departments      polygons of the départements, `code`, `name`
    region_labels    one point per région, `name` (low zooms)
    department_labels  one point per département, inside it, `code`, `name`
    places           communes, `name`, `population`, `rank` (1 chef-lieu de région, 2 préfecture, 3 other,
                     4 municipal arrondissement of Paris, Lyon, Marseille): at each zoom only those above the
                     population of `PLACE_THRESHOLDS`, chefs-lieux always, arrondissements from
                     `ARRONDISSEMENT_MIN_ZOOM` (below it their commune's name stands for them)

Tiles are in Web Mercator, 4096 units a side; the labels and contours are cut per tile with a small buffer.
"""

import gzip
import math
from dataclasses import dataclass

import mapbox_vector_tile
import numpy as np
import shapely
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import Writer
from shapely.geometry import shape
from shapely.ops import polylabel

MIN_ZOOM = 3
MAX_ZOOM = 11  # the map overzooms beyond: labels and contours need no more detail
EXTENT = 4096
BUFFER = 64  # tile units drawn beyond each edge, so that contours join without seams
LABEL_BUFFER = 1024  # points this close to an edge are also in the neighbouring tile (a label's half width)

# zoom → smallest population of a commune listed at that zoom (chefs-lieux of rank ≤ the rank given are
# listed whatever their population). Zoom levels are those of the tiles: Leaflet draws tile zoom z at z + 1.
PLACE_THRESHOLDS = {
    3: (math.inf, 1),
    4: (math.inf, 2),
    5: (50_000, 2),
    6: (20_000, 2),
    7: (10_000, 2),
    8: (5_000, 2),
    9: (2_000, 2),
    10: (500, 2),
    11: (0, 2),
}
# Tile zoom from which the arrondissements of Paris, Lyon and Marseille are named (Paris is then about 200 px
# wide on the map: enough room for some of them beside « Paris », which the labeller places first).
ARRONDISSEMENT_MIN_ZOOM = 10
RANK_ARRONDISSEMENT = 4
REGION_LABEL_ZOOMS = range(3, 6)
DEPARTMENT_LABEL_ZOOMS = range(5, 9)

ATTRIBUTION = "Contours et communes : IGN, INSEE, Etalab (Licence Ouverte)"


@dataclass(frozen=True)
class Place:
    name: str
    latitude: float
    longitude: float
    population: int
    rank: int = 3  # 1 chef-lieu de région, 2 préfecture, 3 other commune, 4 municipal arrondissement


@dataclass
class BuildReport:
    tiles: int
    size: int
    places: int
    departments: int
    max_zoom: int


def mercator(lon, lat):
    """Longitude/latitude in degrees → Web Mercator in [0, 1]² (x east, y down)."""
    lon = np.asarray(lon, dtype=float)
    lat = np.clip(np.asarray(lat, dtype=float), -85.0511, 85.0511)
    x = (lon + 180.0) / 360.0
    y = (1.0 - np.log(np.tan(np.radians(lat)) + 1.0 / np.cos(np.radians(lat))) / math.pi) / 2.0
    return x, y


def _to_world(geometry):
    def project(coords):
        x, y = mercator(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geometry, project)


def _to_tile(geometry, z, x, y):
    scale = (1 << z) * EXTENT

    def local(coords):
        return np.column_stack([coords[:, 0] * scale - x * EXTENT, coords[:, 1] * scale - y * EXTENT])

    return shapely.transform(geometry, local)


def _tile_box(z, x, y):
    n = 1 << z
    pad = BUFFER / EXTENT
    return ((x - pad) / n, (y - pad) / n, (x + 1 + pad) / n, (y + 1 + pad) / n)


def _tiles_of(bounds, z):
    n = 1 << z
    minx, miny, maxx, maxy = bounds
    pad = BUFFER / EXTENT
    for tx in range(max(0, int((minx * n) - pad)), min(n - 1, int(maxx * n + pad)) + 1):
        for ty in range(max(0, int((miny * n) - pad)), min(n - 1, int(maxy * n + pad)) + 1):
            yield tx, ty


def _polygon_features(shapes, z, tiles):
    """{(x, y): [feature]} of the polygons `shapes` ([(geometry in world units, properties)]) cut per tile."""
    tolerance = 0.5 / ((1 << z) * EXTENT)  # half a tile unit
    for geometry, properties in shapes:
        simple = shapely.simplify(geometry, tolerance, preserve_topology=True) if z < 9 else geometry
        for tx, ty in _tiles_of(simple.bounds, z):
            part = shapely.clip_by_rect(simple, *_tile_box(z, tx, ty))
            if part.is_empty or part.area == 0:
                continue
            tiles.setdefault((tx, ty), {}).setdefault(properties["layer"], []).append(
                {"geometry": _to_tile(part, z, tx, ty), "properties": properties["props"]}
            )


def _point_features(layer, props, xs, ys, z, tiles):
    """Points in their tile, and in the neighbouring tiles when within LABEL_BUFFER of the edge: each tile
    then knows the labels that may overlap it, and the map's labeller places each label once, whole."""
    n = 1 << z
    gx, gy = xs * n * EXTENT, ys * n * EXTENT  # in tile units from the world's corner
    tx, ty = np.floor(gx / EXTENT).astype(int), np.floor(gy / EXTENT).astype(int)
    for dx in (-1, 0, 1):
        for dy in (-1, 0, 1):
            kx, ky = tx + dx, ty + dy
            px, py = gx - kx * EXTENT, gy - ky * EXTENT
            inside = (px >= -LABEL_BUFFER) & (px <= EXTENT + LABEL_BUFFER) & (py >= -LABEL_BUFFER)
            inside &= (py <= EXTENT + LABEL_BUFFER) & (kx >= 0) & (kx < n) & (ky >= 0) & (ky < n)
            for i in np.flatnonzero(inside):
                tiles.setdefault((int(kx[i]), int(ky[i])), {}).setdefault(layer, []).append(
                    {"geometry": shapely.Point(round(px[i]), round(py[i])), "properties": props[i]}
                )


def build_basemap(path, contours, department_regions, region_names, places, max_zoom=MAX_ZOOM):
    """Write the basemap to `path`.

    contours: GeoJSON FeatureCollection of the départements (properties `code`, `nom`), may be empty;
    department_regions: {département code: région code}; region_names: {région code: name};
    places: iterable of `Place`.
    """
    departments = []
    for feature in contours.get("features", []):
        # Without their holes: a hole in the contours is a commune the source has no polygon for (e.g.
        # Conques-en-Rouergue), not a place outside the département (an enclave is drawn over it anyway).
        parts = [
            shapely.Polygon(p.exterior) for p in _polygons(shapely.make_valid(shape(feature["geometry"])))
        ]
        geometry = shapely.MultiPolygon(parts)
        code = feature["properties"]["code"]
        departments.append((code, feature["properties"]["nom"], _to_world(geometry)))

    by_region = {}
    for code, _name, geometry in departments:
        region = department_regions.get(code)
        if region:
            by_region.setdefault(region, []).append(geometry)
    regions = [
        (region_names.get(code, code), shapely.union_all(parts, grid_size=1e-9))
        for code, parts in sorted(by_region.items())
    ]

    polygons = [(geometry, {"layer": "regions", "props": {"name": name}}) for name, geometry in regions] + [
        (geometry, {"layer": "departments", "props": {"code": code, "name": name}})
        for code, name, geometry in departments
    ]

    region_points = [(name, _label_point(geometry)) for name, geometry in regions]
    department_points = [((code, name), _label_point(geometry)) for code, name, geometry in departments]

    places = sorted(places, key=lambda place: (place.rank, -place.population, place.name))
    names = [place.name for place in places]
    populations = np.array([place.population for place in places], dtype=np.int64)
    ranks = np.array([place.rank for place in places], dtype=np.int64)
    xs, ys = mercator([place.longitude for place in places], [place.latitude for place in places])

    writer_tiles = {}
    for z in range(MIN_ZOOM, max_zoom + 1):
        tiles = {}
        _polygon_features(polygons, z, tiles)
        if z in REGION_LABEL_ZOOMS and region_points:
            _point_features(
                "region_labels",
                [{"name": name} for name, _ in region_points],
                np.array([p.x for _, p in region_points]),
                np.array([p.y for _, p in region_points]),
                z,
                tiles,
            )
        if z in DEPARTMENT_LABEL_ZOOMS and department_points:
            _point_features(
                "department_labels",
                [{"code": code, "name": name} for (code, name), _ in department_points],
                np.array([p.x for _, p in department_points]),
                np.array([p.y for _, p in department_points]),
                z,
                tiles,
            )
        threshold, chef_lieu_rank = PLACE_THRESHOLDS.get(z, (0, 2))
        shown = (populations >= threshold) | (ranks <= chef_lieu_rank)
        if z < ARRONDISSEMENT_MIN_ZOOM:
            shown &= ranks != RANK_ARRONDISSEMENT
        keep = np.flatnonzero(shown)
        _point_features(
            "places",
            [{"name": names[i], "population": int(populations[i]), "rank": int(ranks[i])} for i in keep],
            xs[keep],
            ys[keep],
            z,
            tiles,
        )
        for (tx, ty), layers in tiles.items():
            order = ["regions", "departments", "region_labels", "department_labels", "places"]
            data = mapbox_vector_tile.encode(
                [{"name": name, "features": layers[name]} for name in order if name in layers],
                default_options={"extents": EXTENT, "y_coord_down": True},
            )
            writer_tiles[zxy_to_tileid(z, tx, ty)] = gzip.compress(data, compresslevel=6, mtime=0)

    lons = [place.longitude for place in places]
    lats = [place.latitude for place in places]
    bounds = _lonlat_bounds(departments, lons, lats)
    with open(path, "wb") as f:
        writer = Writer(f)
        for tile_id in sorted(writer_tiles):
            writer.write_tile(tile_id, writer_tiles[tile_id])
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_lon_e7": int(bounds[0] * 1e7),
                "min_lat_e7": int(bounds[1] * 1e7),
                "max_lon_e7": int(bounds[2] * 1e7),
                "max_lat_e7": int(bounds[3] * 1e7),
                "center_zoom": 5,
                "center_lon_e7": int(2.4 * 1e7),
                "center_lat_e7": int(46.6 * 1e7),
            },
            {
                "name": "Relais — fond de carte",
                "generator": "relais",
                "attribution": ATTRIBUTION,
                "vector_layers": [
                    {"id": layer, "fields": {}}
                    for layer in ["regions", "departments", "region_labels", "department_labels", "places"]
                ],
            },
        )
    with open(path, "rb") as f:
        size = f.seek(0, 2)
    return BuildReport(
        tiles=len(writer_tiles),
        size=size,
        places=len(places),
        departments=len(departments),
        max_zoom=max_zoom,
    )


def _label_point(geometry):
    """A point well inside the largest part of a (multi)polygon, in world units."""
    largest = max(_polygons(geometry), key=lambda g: g.area)
    return polylabel(largest, tolerance=largest.length / 1000)


def _polygons(geometry):
    """The polygons of a geometry, however nested (make_valid may return a collection)."""
    if geometry.geom_type == "Polygon":
        return [geometry]
    if hasattr(geometry, "geoms"):
        return [polygon for part in geometry.geoms for polygon in _polygons(part)]
    return []


def _lonlat_bounds(departments, lons, lats):
    if not lons and not departments:
        return (-180.0, -85.0, 180.0, 85.0)
    xs, ys = [], []
    for _, _, geometry in departments:
        minx, miny, maxx, maxy = geometry.bounds
        xs += [minx, maxx]
        ys += [miny, maxy]
    wx, wy = mercator(lons, lats) if lons else (np.array([]), np.array([]))
    xs = np.concatenate([np.array(xs), wx])
    ys = np.concatenate([np.array(ys), wy])
    lon = xs * 360.0 - 180.0
    lat = np.degrees(np.arctan(np.sinh(math.pi * (1 - 2 * ys))))
    return (float(lon.min()), float(lat.min()), float(lon.max()), float(lat.max()))
