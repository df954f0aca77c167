"""The default basemap (territory/vectortiles.py, manage.py build_basemap): a PMTiles archive that the
pmtiles reader opens, whose tiles hold the contours and the names of the communes at the expected zooms."""

import gzip
import json
import math

import mapbox_vector_tile
import pytest
from django.core.management import call_command
from pmtiles.reader import MmapSource, Reader
from pmtiles.tile import Compression, TileType

from relais.territory.management.commands.build_basemap import basemap_places
from relais.territory.vectortiles import ARRONDISSEMENT_MIN_ZOOM, RANK_ARRONDISSEMENT, Place, build_basemap

AURILLAC = Place("Aurillac", 44.93032, 2.44495, 25_000, 2)
ARPAJON = Place("Arpajon-sur-Cère", 44.9031, 2.4579, 6_300)
YTRAC = Place("Ytrac", 44.9116, 2.3647, 4_500)
HAMLET = Place("Saint-Cirgues-de-Jordanne", 45.0345, 2.5812, 150)
CLERMONT = Place("Clermont-Ferrand", 45.7797, 3.0869, 147_000, 1)
SQUARE = {  # a made-up "département" around the Cantal
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "15", "nom": "Cantal"},
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.0, 44.6], [3.3, 44.6], [3.3, 45.5], [2.0, 45.5], [2.0, 44.6]]],
            },
        }
    ],
}


def tile_of(z, lat, lon):
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def open_basemap(path):
    f = open(path, "rb")  # noqa: SIM115 - kept open for the mmap of the reader
    return f, Reader(MmapSource(f))


def decoded(reader, z, lat, lon):
    data = reader.get(*tile_of(z, lat, lon))
    if data is None:
        return {}
    return mapbox_vector_tile.decode(gzip.decompress(data), default_options={"y_coord_down": True})


def names(layers, layer="places"):
    return {feature["properties"]["name"] for feature in layers.get(layer, {}).get("features", [])}


def test_the_names_of_the_communes_appear_by_population_as_one_zooms_in(tmp_path):
    path = tmp_path / "basemap.pmtiles"
    report = build_basemap(
        path,
        SQUARE,
        {"15": "84"},
        {"84": "Auvergne-Rhône-Alpes"},
        [AURILLAC, ARPAJON, YTRAC, HAMLET, CLERMONT],
    )

    f, reader = open_basemap(path)
    with f:
        header = reader.header()
        assert header["tile_type"] == TileType.MVT
        assert header["tile_compression"] == Compression.GZIP
        assert (header["min_zoom"], header["max_zoom"]) == (3, 11)
        assert reader.metadata()["generator"] == "relais"
        lat, lon = AURILLAC.latitude, AURILLAC.longitude
        # z3: the chefs-lieux de région only; z4: the préfectures too; z7: over 10,000; z8: over 5,000…
        assert names(decoded(reader, 3, CLERMONT.latitude, CLERMONT.longitude)) == {"Clermont-Ferrand"}
        assert "Aurillac" in names(decoded(reader, 4, lat, lon))
        assert names(decoded(reader, 7, lat, lon)) == {"Aurillac"}
        assert names(decoded(reader, 8, lat, lon)) == {"Aurillac", "Arpajon-sur-Cère"}
        assert names(decoded(reader, 9, lat, lon)) >= {"Aurillac", "Arpajon-sur-Cère", "Ytrac"}
        assert "Saint-Cirgues-de-Jordanne" not in names(
            decoded(reader, 10, HAMLET.latitude, HAMLET.longitude)
        )
        assert "Saint-Cirgues-de-Jordanne" in names(decoded(reader, 11, HAMLET.latitude, HAMLET.longitude))
        # The population and rank travel with the name (the style sizes the labels by them).
        aurillac = next(
            feature["properties"]
            for feature in decoded(reader, 9, lat, lon)["places"]["features"]
            if feature["properties"]["name"] == "Aurillac"
        )
        assert aurillac == {"name": "Aurillac", "population": 25_000, "rank": 2}
        # The contours and the label of the département, and its région dissolved from it.
        tile = decoded(reader, 6, lat, lon)
        assert [f["properties"] for f in tile["departments"]["features"]] == [
            {"code": "15", "name": "Cantal"}
        ]
        assert tile["departments"]["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")
        assert names(tile, "department_labels") == {"Cantal"}
        assert names(decoded(reader, 4, lat, lon), "region_labels") == {"Auvergne-Rhône-Alpes"}
        # Nothing where there is nothing.
        assert reader.get(*tile_of(9, 60.0, -30.0)) is None
    assert report.places == 5 and report.departments == 1 and report.tiles > 9


def test_without_contours_only_the_labels(tmp_path):
    path = tmp_path / "basemap.pmtiles"
    build_basemap(path, {"features": []}, {}, {}, [AURILLAC])

    f, reader = open_basemap(path)
    with f:
        tile = decoded(reader, 9, AURILLAC.latitude, AURILLAC.longitude)
    assert set(tile) == {"places"}
    assert names(tile) == {"Aurillac"}


@pytest.mark.django_db
def test_the_command_builds_it_from_the_territory_tables(tmp_path, capsys):
    # The real communes of the test database (load_territory); low zooms keep the test short.
    path = tmp_path / "var" / "basemap.pmtiles"

    call_command("build_basemap", output=str(path), max_zoom=6)

    assert "tiles=" in capsys.readouterr().out
    f, reader = open_basemap(path)
    with f:
        assert reader.header()["max_zoom"] == 6
        france = decoded(reader, 5, 48.8566, 2.3522)
        assert {"Paris", "Versailles", "Boulogne-Billancourt"} <= names(france)
        assert "Paris" in names(decoded(reader, 3, 48.8566, 2.3522))  # a chef-lieu de région
        assert names(decoded(reader, 5, 45.04, 3.88), "department_labels") >= {"Haute-Loire"}
        metropolitan = json.dumps(decoded(reader, 4, 46.6, 2.4)["departments"]["features"][0]["properties"])
        assert '"code"' in metropolitan
    # Already there: --if-missing leaves it alone.
    before = path.stat().st_mtime_ns
    call_command("build_basemap", output=str(path), if_missing=True)
    assert path.stat().st_mtime_ns == before


def test_the_arrondissements_are_named_only_at_high_zooms(tmp_path):
    paris = Place("Paris", 48.85659, 2.34292, 2_103_778, 1)
    eleventh = Place("Paris 11e", 48.8585, 2.37952, 138_170, RANK_ARRONDISSEMENT)
    path = tmp_path / "basemap.pmtiles"
    build_basemap(path, {"features": []}, {}, {}, [paris, eleventh])

    f, reader = open_basemap(path)
    with f:
        for z in range(3, ARRONDISSEMENT_MIN_ZOOM):  # even above the population thresholds of the communes
            assert names(decoded(reader, z, eleventh.latitude, eleventh.longitude)) == {"Paris"}, z
        for z in range(ARRONDISSEMENT_MIN_ZOOM, 12):
            assert names(decoded(reader, z, eleventh.latitude, eleventh.longitude)) == {
                "Paris",
                "Paris 11e",
            }, z
        eleventh_props = next(
            feature["properties"]
            for feature in decoded(reader, 11, eleventh.latitude, eleventh.longitude)["places"]["features"]
            if feature["properties"]["name"] == "Paris 11e"
        )
    assert eleventh_props == {"name": "Paris 11e", "population": 138_170, "rank": RANK_ARRONDISSEMENT}


@pytest.mark.django_db
def test_the_command_names_the_45_arrondissements_beside_the_communes():
    places = basemap_places()
    arrondissements = [place for place in places if place.rank == RANK_ARRONDISSEMENT]
    assert len(arrondissements) == 45
    assert "Marseille 13e" in {place.name for place in arrondissements}
    assert "Paris" in {place.name for place in places if place.rank == 1}
