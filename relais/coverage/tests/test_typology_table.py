"""Issue 11 §4: the table of distances by typology lists only the typologies the registry holds in the
territory or within reach of it, with their counts; a typology with only a few such places is marked instead
of giving a misleading distance."""

import numpy as np
import pytest

from relais.coverage import engine
from relais.coverage.services import CoverageParams, run_coverage
from relais.coverage.typologies import FEW_TYPED_PLACES
from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

FEW = "peu de lieux de ce type sont typés dans le registre"


def place_at(code, **kwargs):
    commune = Commune.objects.get(code_insee=code)
    return PlaceFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude, **kwargs)


def neighbour_within(km):
    """A commune outside the Cantal within `km` of one of its communes (and one farther than 3 × km)."""
    cantal = Commune.objects.filter(department_id="15", latitude__isnull=False)
    around = Commune.objects.filter(department_id__in=["19", "46", "12", "43", "63"], latitude__isnull=False)
    lat = np.array([c.latitude for c in cantal])
    lon = np.array([c.longitude for c in cantal])
    around = list(around)
    reach = engine.nearest_distances([c.latitude for c in around], [c.longitude for c in around], lat, lon)
    near = around[int(np.argmin(np.where(reach < km, reach, np.inf)))]
    return near.code_insee


def registry():
    """6 fablabs in the Cantal, 2 coworking spaces (one in, one just outside), 2 EPN in Paris."""
    for code in ("15014", "15138", "15187", "15120", "15162", "15153"):
        place_at(code, typologies=["FABLAB"])
    place_at("15014", typologies=["COWORKING"])
    place_at(neighbour_within(8), typologies=["COWORKING"])
    place_at("75056", typologies=["EPN"])
    place_at("75056", typologies=["EPN"])


def test_the_rows_count_places_in_the_territory_and_within_reach():
    registry()
    result = run_coverage(CoverageParams(territory="dep:15", radius_km=10), save=False)
    rows = {row["code"]: row for row in result.by_typology}
    assert (rows["FABLAB"]["places_in_territory"], rows["FABLAB"]["places_nearby"]) == (6, 0)
    assert rows["FABLAB"]["few"] is False and rows["FABLAB"]["mean_km"] is not None
    assert (rows["COWORKING"]["places_in_territory"], rows["COWORKING"]["places_nearby"]) == (1, 1)
    assert rows["COWORKING"]["few"] is True
    assert (rows["EPN"]["places"], rows["EPN"]["places_in_territory"], rows["EPN"]["places_nearby"]) == (
        2,
        0,
        0,
    )
    assert rows["EPN"]["mean_km"] > 300  # the distance that misled: Paris is the nearest EPN typed
    assert FEW_TYPED_PLACES == 5


def test_the_page_lists_only_the_typologies_held_and_marks_the_thin_ones(client):
    registry()
    response = client.get("/maillage/", {"territory": "dep:15", "radius_km": "10"})
    html = response.content.decode()
    rows = response.context["typology_rows"]
    assert [r["code"] for r in rows] == ["COWORKING", "FABLAB"]  # the vocabulary's order
    by_code = {r["code"]: r for r in rows}
    assert by_code["FABLAB"]["reach"] == 6 and by_code["COWORKING"]["reach"] == 2
    assert '<th scope="col">Lieux dans le territoire</th>' in html
    assert "Lieux à moins de 10 km, hors du territoire" in html
    coworking = html.split(">Espace de coworking</a></th>")[1].split("</tr>")[0]
    assert coworking == f'<td>1</td><td>1</td><td colspan="2" class="coverage-few">{FEW}</td>'
    fablab = html.split(">Fablab / atelier de fabrication numérique</a></th>")[1].split("</tr>")[0]
    assert FEW not in fablab and fablab.startswith("<td>6</td><td>0</td><td>")
    # The EPN of Paris are named as out of reach, with no distance: never « 400 km ».
    assert response.context["typologies_out_of_reach"] == ["Espace public numérique (EPN)"]
    assert "Aucun lieu dans le territoire ni à moins de 10 km pour : Espace public numérique (EPN)." in html
    assert ">Espace public numérique (EPN)</a>" not in html
    assert "Moins de 5 lieux de ce type dans le territoire et à proximité" in html


def test_a_territory_without_any_typed_place_around_says_so(client):
    place_at("75056", typologies=["EPN"])
    html = client.get("/maillage/", {"territory": "dep:15"}).content.decode()
    assert "Aucun lieu typé comme tiers-lieu dans le territoire ni à moins de 10 km." in html
