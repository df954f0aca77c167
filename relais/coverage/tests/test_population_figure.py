"""Issue 11 §4: one population figure. The coverage page said 143,465 for the Cantal where its territory page
said 144,196: the first summed the communes with coordinates only, the second is the population of all its
communes. Both now give the territory's population of all its communes, and the coverage page names its
source and says which part the distances leave out (the 4 communes without coordinates, 731 inhabitants)."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db.models import Sum

from relais.coverage.services import POPULATION_YEAR, CoverageParams, run_coverage
from relais.territory.models import Commune, Department, Epci
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

SOURCE = "population municipale 2023, INSEE ; populations légales en vigueur au 1er janvier 2026"


@pytest.fixture(autouse=True)
def aurillac():
    commune = Commune.objects.get(code_insee="15014")
    return PlaceFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude)


def test_the_analysis_gives_the_population_of_all_the_communes_and_what_the_distances_leave_out():
    result = run_coverage(CoverageParams(territory="dep:15"))
    figure = result.population
    everyone = Commune.objects.filter(department_id="15").aggregate(total=Sum("population"))["total"]
    assert figure["total"] == everyone == Department.objects.get(pk="15").population == 144_196
    assert figure["communes"] == 250
    assert figure["analysed"] == result.summary[0]["population"] == 143_465
    assert figure["excluded"] == 731 == figure["total"] - figure["analysed"]
    assert figure["source"] == SOURCE


def test_an_epci_and_all_france_agree_with_their_reference_figures_too():
    epci = run_coverage(CoverageParams(territory="epci:200066637")).population
    assert epci["total"] == Epci.objects.get(pk="200066637").population
    france = run_coverage(CoverageParams(territory="")).population
    assert france["total"] == Commune.objects.aggregate(total=Sum("population"))["total"] == 68_350_798


def test_the_coverage_page_and_the_territory_page_give_the_same_figure_with_its_source(client):
    coverage = client.get("/maillage/", {"territory": "dep:15"})
    territory = client.get("/territoires/departement/15/")
    figure = territory.context["population_text"]
    html = coverage.content.decode()
    assert coverage.context["population"]["total_text"] == figure
    assert f"{figure} habitants dans 250 communes ({SOURCE})." in html
    assert f"{figure} habitant" in territory.content.decode()
    analysed = coverage.context["population"]["analysed_text"]
    assert re.search(
        r"4 communes sans coordonnées \(15031, 15035, 15047, 15171, 731 habitants\) ne sont pas situées : "
        rf"les distances et les parts ci-dessous portent sur les {re.escape(analysed)} habitants",
        html,
    )
    assert "143465 habitants dans" not in html  # the old figure, ungrouped


def test_a_territory_whose_communes_all_have_coordinates_says_nothing_of_exclusions(client):
    html = client.get("/maillage/", {"territory": "dep:03"}).content.decode()
    assert "sans coordonnées" not in html
    assert SOURCE in html


def test_the_year_named_is_the_one_of_the_vendored_data():
    readme = (Path(settings.RELAIS_DATA_DIR) / "README.md").read_text(encoding="utf-8")
    assert f"populations légales millésime {POPULATION_YEAR} in force on 1 January 2026" in readme
