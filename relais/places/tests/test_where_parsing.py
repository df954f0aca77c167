"""The "where" field reads what people type: a commune with its département or postal code, and the
municipal arrondissements of Paris, Lyon and Marseille (where.py, through directory.resolve_where)."""

import csv

import pytest
from django.conf import settings
from django.urls import reverse

from relais.places import directory
from relais.testing import place_in

pytestmark = pytest.mark.django_db

MURAT_CANTAL = "15138"  # another Murat is in the Allier (03191)
SAINT_FLOUR = "15187"


def where_of(**data):
    params, _ = directory.parse_params(data)
    return directory.resolve_where(params)


def reference_row(code):
    with open(settings.RELAIS_DATA_DIR / "arrondissements.csv", encoding="utf-8", newline="") as handle:
        return next(row for row in csv.DictReader(handle) if row["code_insee"] == code)


# --- A commune and its département or postal code ---------------------------------------------------


def test_murat_alone_still_asks_which_murat():
    answer = where_of(where="Murat")
    assert answer.where is None
    assert {c.code_insee for c in answer.choices} >= {MURAT_CANTAL, "03191"}


@pytest.mark.parametrize(
    "text",
    ["Murat Cantal", "Murat 15", "Murat, Cantal", "Murat (15)", "Murat 15300", "murat cantal", "Murat, 15"],
)
def test_a_name_followed_by_its_departement_or_postal_code_is_that_commune(text):
    answer = where_of(where=text)
    assert answer.where is not None, answer.message
    assert (answer.where.kind, answer.where.code) == ("commune", MURAT_CANTAL)
    assert answer.where.label == "Murat (15)"
    assert answer.where.is_point


def test_the_other_murat_by_its_departement():
    assert where_of(where="Murat Allier").where.code == "03191"
    assert where_of(where="Murat (03)").where.code == "03191"


def test_saint_flour_cantal():
    answer = where_of(where="Saint-Flour Cantal")
    assert answer.where.code == SAINT_FLOUR


@pytest.mark.parametrize(
    ("text", "code"),
    [("Saint-Denis 93", "93066"), ("Saint-Denis 974", "97411"), ("Saint-Denis Réunion", "97411")],
)
def test_a_departement_overseas_or_without_its_article(text, code):
    assert where_of(where=text).where.code == code


def test_a_departement_name_of_two_words_after_the_commune():
    answer = where_of(where="Le Puy-en-Velay Haute-Loire")
    assert answer.where.code == "43157"


def test_the_beginning_of_a_name_offers_only_the_communes_of_the_departement_named():
    # Saint-Martin-Cantalès, Saint-Martin-sous-Vigouroux, Saint-Martin-Valmeroux: not the 200 others.
    for text in ("Saint-Martin 15", "Saint-Martin (15)", "Saint-Martin 15140"):
        answer = where_of(where=text)
        assert answer.where is None, text
        expected = ["15200", "15202"] if text.endswith("15140") else ["15200", "15201", "15202"]
        assert sorted(c.code_insee for c in answer.choices) == expected, text
        assert answer.message == f"Plusieurs communes correspondent à « {text} » : laquelle ?"


def test_a_commune_whose_name_begins_with_a_departement_name_is_still_found_by_its_beginning():
    # « Saint-Martin Cantal » is also the beginning of « Saint-Martin-Cantalès »: as before, that commune.
    assert where_of(where="Saint-Martin Cantal").where.code == "15200"


def test_a_commune_that_is_not_in_the_departement_named_is_unknown_there():
    answer = where_of(where="Aurillac Allier")
    assert answer.where is None and not answer.choices
    assert answer.message.startswith("Commune inconnue : « Aurillac Allier »")


# --- Arrondissements of Paris, Lyon, Marseille -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("75011", "75111"),
        ("75111", "75111"),
        ("Paris 11", "75111"),
        ("Paris 11e", "75111"),
        ("Paris 11e arrondissement", "75111"),
        ("paris 11eme", "75111"),
        ("Paris 75011", "75111"),
        ("75116", "75116"),
        ("75016", "75116"),
        ("Paris 1er", "75101"),
        ("Marseille 13e", "13213"),
        ("Marseille 13", "13213"),
        ("13013", "13213"),
        ("Lyon 3e", "69383"),
        ("69003", "69383"),
    ],
)
def test_an_arrondissement_is_a_search_around_its_centre(text, code):
    answer = where_of(where=text)
    assert answer.where is not None, answer.message
    assert (answer.where.kind, answer.where.code) == ("arrondissement", code)
    row = reference_row(code)
    assert (answer.where.lat, answer.where.lon) == (float(row["latitude"]), float(row["longitude"]))


def test_the_arrondissement_is_labelled_as_such():
    assert where_of(where="75011").where.label == "Paris 11e arrondissement"
    assert where_of(where="Marseille 13").where.label == "Marseille 13e arrondissement"
    assert where_of(where="Lyon 1er").where.label == "Lyon 1er arrondissement"


def test_paris_and_its_commune_code_still_mean_the_whole_of_paris():
    for text in ("Paris", "75056", "Paris 75"):
        answer = where_of(where=text)
        assert (answer.where.kind, answer.where.code, answer.where.label) == (
            "commune",
            "75056",
            "Paris (75)",
        )


def test_a_number_beyond_the_arrondissements_is_not_one():
    # Lyon has 9 arrondissements: « Lyon 69 » is Lyon in the Rhône.
    assert where_of(where="Lyon 69").where.code == "69123"


def test_an_arrondissement_picked_holds_while_the_field_shows_its_name():
    answer = where_of(where="Paris 11e Arrondissement", commune="75111")
    assert answer.where.code == "75111"
    assert where_of(where="Aurillac", commune="75111").where.code == "15014"


# --- The page -----------------------------------------------------------------------------------------


def test_the_directory_page_for_75011_is_centred_on_the_11th(client):
    # From the centre of Paris (Île de la Cité) the Louvre comes first; from the 11th, Voltaire does.
    place_in("75056", name="Voltaire", latitude=48.8576, longitude=2.3801, postal_code="75011")
    place_in("75056", name="Bastille", latitude=48.8532, longitude=2.3691, postal_code="75011")
    place_in("75056", name="Louvre", latitude=48.8606, longitude=2.3376, postal_code="75001")

    response = client.get(reverse("places:list"), {"where": "75011"})

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert [item.entry.name for item in outcome.items] == ["Voltaire", "Bastille", "Louvre"]
    distances = [item.distance_km for item in outcome.items]
    assert distances == sorted(distances) and distances[0] < 0.3 < 2.5 < distances[2] < 3.5
    html = response.content.decode()
    assert "Paris 11e arrondissement" in html
    assert "depuis le centre de l'arrondissement, Paris 11e arrondissement" in outcome.order_text
    # The places keep their commune: a search on Paris (the whole) finds them all, from its centre.
    paris = client.get(reverse("places:list"), {"where": "Paris"}).context["outcome"]
    assert [item.entry.name for item in paris.items][0] == "Louvre"


def test_the_map_data_of_an_arrondissement_search_has_its_centre(client):
    data = client.get(reverse("places:map"), {"where": "Marseille 13e"}).json()
    row = reference_row("13213")
    assert data["centre"][:2] == [float(row["latitude"]), float(row["longitude"])]
