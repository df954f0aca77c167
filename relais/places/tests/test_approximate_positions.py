"""Places whose position is only their commune's centre (`location_approximate`, 454 real places).

They are not "the nearest, at 0,0 km": around a point they rank as if APPROXIMATE_PENALTY_KM farther than
their commune's centre, and the list says what their position allows to say.
"""

import pytest
from django.urls import reverse

from relais.places import directory, search
from relais.places.search import APPROXIMATE_PENALTY_KM, PlaceQuery, search_places
from relais.territory.models import Commune
from relais.testing import place_in

pytestmark = pytest.mark.django_db

KM_IN_LATITUDE = 1 / 111.2  # degrees of latitude in one kilometre


def aurillac():
    return Commune.objects.get(pk="15014")


def precise_at(km, name):
    centre = aurillac()
    return place_in("15014", name=name, latitude=centre.latitude + km * KM_IN_LATITUDE)


def test_an_approximate_place_ranks_after_precise_places_within_the_penalty():
    approximate = place_in("15014", name="Au centre, approximatif", location_approximate=True)
    near = precise_at(1, "Précis à 1 km")
    far = precise_at(APPROXIMATE_PENALTY_KM + 1, "Précis à 3 km")
    centre = aurillac()
    result = search_places(PlaceQuery(lat=centre.latitude, lon=centre.longitude, radius_km=10))
    assert result.ids == [near.pk, approximate.pk, far.pk]
    assert result.distances[approximate.pk] == 0.0  # the true distance to its recorded position


def test_nearest_places_does_not_answer_an_approximate_place_first():
    place_in("15014", name="Approximatif", location_approximate=True)
    near = precise_at(1.5, "Précis")
    centre = aurillac()
    assert search.nearest_places(centre.latitude, centre.longitude, k=1).ids == [near.pk]


@pytest.mark.parametrize(
    ("distance", "approximate", "same_commune", "text"),
    [
        (1.234, False, False, "à 1,2 km"),
        (0.0, True, True, "dans la commune, position approximative"),
        (5.26, True, False, "à environ 5,3 km (position approximative : centre de la commune)"),
        (None, True, False, ""),
    ],
)
def test_what_a_result_says_of_its_distance(distance, approximate, same_commune, text):
    assert directory.distance_text(distance, approximate, same_commune) == text


def test_the_results_page_never_says_an_approximate_place_is_at_0_km(client):
    place_in("15014", name="Médiathèque sans adresse", location_approximate=True)
    precise_at(0.5, "Précis")
    html = client.get(reverse("places:list"), {"where": "Aurillac"}).content.decode()
    assert "à 0,0 km" not in html
    assert "dans la commune, position approximative" in html
    assert "était 2 km plus loin." in html
    assert html.index("Précis") < html.index("Médiathèque sans adresse")


def test_around_another_commune_an_approximate_place_says_about_how_far():
    place_in("15014", name="Approximatif", location_approximate=True)
    outcome = directory.run(directory.parse_params({"where": "Arpajon-sur-Cère", "radius": "10"})[0])
    [item] = outcome.items
    assert item.distance_text.startswith("à environ ")
    assert item.distance_text.endswith(" km (position approximative : centre de la commune)")
