"""The 45 municipal arrondissements of Paris, Lyon and Marseille (data/arrondissements.csv, loaded by
load_territory): each with its postal codes and a centre inside its département, found by the lookups."""

import csv
import json

import pytest
import shapely
from django.conf import settings
from shapely.geometry import shape

from relais.territory.models import Commune, MunicipalArrondissement
from relais.territory.services import arrondissement_number, memory_commune_lookup

PARENTS = {"75056": ("75", 20), "69123": ("69", 9), "13055": ("13", 16)}


def rows():
    with open(settings.RELAIS_DATA_DIR / "arrondissements.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def department_contours():
    collection = json.loads((settings.RELAIS_DATA_DIR / "departements-contours.geojson").read_text())
    return {f["properties"]["code"]: shape(f["geometry"]) for f in collection["features"]}


def test_the_file_has_the_45_arrondissements_each_with_postal_codes_and_a_centre_in_its_departement():
    data = rows()
    assert len(data) == 45
    assert len({row["code_insee"] for row in data}) == 45
    contours = department_contours()
    for row in data:
        department, count = PARENTS[row["commune_code"]]
        assert row["dep_code"] == department, row
        assert row["codes_postaux"].split(), row
        assert all(code.startswith(department) and len(code) == 5 for code in row["codes_postaux"].split())
        assert int(row["population"]) > 10_000, row
        point = shapely.Point(float(row["longitude"]), float(row["latitude"]))
        assert contours[department].contains(point), row
        assert 1 <= arrondissement_number(row["nom"]) <= count, row
        assert row["coord_source"] in ("mairie", "centroide")
    for parent, (_department, count) in PARENTS.items():
        assert sum(row["commune_code"] == parent for row in data) == count


def test_the_ordinal_of_an_official_name():
    assert arrondissement_number("Paris 11e Arrondissement") == 11
    assert arrondissement_number("Lyon 1er Arrondissement") == 1
    with pytest.raises(ValueError):
        arrondissement_number("Paris")


@pytest.mark.django_db
def test_they_are_loaded_with_their_commune_and_number():
    assert MunicipalArrondissement.objects.count() == 45
    eleventh = MunicipalArrondissement.objects.get(code_insee="75111")
    assert (eleventh.commune_id, eleventh.number, eleventh.postal_code_list) == ("75056", 11, ["75011"])
    assert (eleventh.label, eleventh.short_name) == ("Paris 11e arrondissement", "Paris 11e")
    assert MunicipalArrondissement.objects.get(code_insee="75116").postal_code_list == ["75016", "75116"]
    assert Commune.objects.get(code_insee="75056").arrondissements.count() == 20


@pytest.mark.django_db
def test_the_memory_lookup_finds_them_by_code_postal_code_and_number():
    lookup = memory_commune_lookup()
    assert lookup.arrondissement("13213").name == "Marseille 13e Arrondissement"
    assert lookup.arrondissement("75056") is None
    assert lookup.arrondissement_of_postal_code("75116").code_insee == "75116"
    assert lookup.arrondissement_of_postal_code("15000") is None
    assert lookup.arrondissement_by_number("lyon", 3).code_insee == "69383"
    assert lookup.arrondissement_by_number("lyon", 10) is None
    # The communes themselves are unchanged: an arrondissement code still leads to its commune.
    assert lookup.by_code("75111").code_insee == "75056"
