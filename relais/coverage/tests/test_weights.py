"""Demand weights other than the population: `coverage --weights FILE.csv` (code_insee;weight)."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from relais.core.errors import DomainError
from relais.coverage.models import CoverageRun
from relais.coverage.services import CoverageParams, run_coverage
from relais.coverage.weights import read_weights
from relais.territory.models import Commune
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def write(tmp_path, text, name="poids.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def place_at(code):
    commune = Commune.objects.get(code_insee=code)
    return PlaceFactory(commune=commune, latitude=commune.latitude, longitude=commune.longitude)


def test_a_weights_file_is_read_with_french_number_formats(tmp_path):
    path = write(tmp_path, "\ufeffcode_insee;weight\n15014;1250\n15138;12,5\n2a004;1 000\n\n15187;0\n")
    assert read_weights(path) == {"15014": 1250.0, "15138": 12.5, "2A004": 1000.0, "15187": 0.0}


def test_commas_and_extra_columns_are_accepted(tmp_path):
    path = write(tmp_path, "nom,Code_INSEE,Weight\nAurillac,15014,3\nMurat,15138,4.5\n")
    assert read_weights(path) == {"15014": 3.0, "15138": 4.5}


def test_every_bad_line_is_reported_with_its_number(tmp_path):
    path = write(
        tmp_path,
        "code_insee;weight\n15014;10\n1001;5\n15138;beaucoup\n15187;-3\n15014;2\n;4\n15120;\n",
    )
    with pytest.raises(DomainError) as error:
        read_weights(path)
    message = error.value.message
    assert message.startswith("fichier de poids poids.csv : 6 lignes invalides.")
    assert "ligne 3 : code INSEE « 1001 » mal formé : 5 caractères attendus, comme 15014 ou 2A004" in message
    assert "(zéro initial perdu ? essayez 01001)" in message
    assert "ligne 4 : poids « beaucoup » illisible pour 15138 : un nombre est attendu" in message
    assert "ligne 5 : poids négatif (-3) pour 15187" in message
    assert "ligne 6 : code INSEE 15014 déjà donné ligne 2" in message
    assert "ligne 7 : code INSEE manquant" in message
    assert "ligne 8 : poids manquant pour 15120" in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "est vide"),
        ("commune;poids\n15014;3\n", "ligne 1 : colonnes attendues code_insee et weight"),
        ("code_insee;weight\n", "ne contient aucune commune"),
    ],
)
def test_a_file_without_usable_content_gets_a_french_message(tmp_path, text, message):
    with pytest.raises(DomainError, match=message):
        read_weights(write(tmp_path, text))


def test_a_file_not_in_utf8_or_missing_is_named(tmp_path):
    with pytest.raises(DomainError, match="n'est pas en UTF-8"):
        read_weights(write(tmp_path, "code_insee;weight\n15014;3\nSaint-Étienne;1\n", encoding="latin-1"))
    with pytest.raises(DomainError, match="fichier de poids introuvable"):
        read_weights(tmp_path / "absent.csv")


def test_the_analysis_counts_the_weights_and_missing_communes_weigh_nothing():
    place_at("15014")
    weights = {"15014": 100.0, "15138": 40.0, "15187": 60.5, "63113": 1000.0}
    result = run_coverage(
        CoverageParams(territory="dep:15", radius_km=10, weights=weights, weights_source="seniors.csv"),
        save=True,
    )
    head = result.summary[0]
    assert head["weight"] == 200.5 and "population" not in head
    assert head["covered_10km"] == 100  # only Aurillac is within 10 km of the place
    assert head["share_10km"] == round(100 / 200.5, 4)
    assert result.weights == {
        "source": "seniors.csv",
        "communes_without_weight": 246 - 3,
        "ignored_codes": 1,  # Clermont-Ferrand is not in the Cantal
        "total": 200.5,
    }
    by_code = {c["code_insee"]: c for c in result.communes}
    assert by_code["15187"]["weight"] == 60.5 and by_code["15120"]["weight"] == 0
    stored = CoverageRun.objects.get().parameters
    assert stored["weights"] == {"source": "seniors.csv", "communes": 4, "total": 1200.5}


def test_recommendations_follow_the_weights():
    place_at("15014")
    # All the weight in Murat and Saint-Flour: the first pick must reach one of them.
    weights = {"15138": 500.0, "15187": 800.0}
    result = run_coverage(
        CoverageParams(territory="dep:15", radius_km=10, recommend=2, weights=weights), save=False
    )
    assert [r["newly_covered"] for r in result.recommended] == [800, 500]
    assert result.recommendation["covered_after"] == 1300


def test_the_command_takes_a_weights_file(tmp_path):
    place_at("15014")
    path = write(tmp_path, "code_insee;weight\n15014;100\n15138;40\n99999;5\n")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "coverage",
        territory="dep:15",
        weights=str(path),
        output=str(tmp_path / "out"),
        stdout=out,
        stderr=err,
        verbosity=0,
    )
    assert "weight=140 covered_10km=71.43%" in out.getvalue()
    assert "weights=poids.csv communes_without_weight=244 ignored_codes=1" in out.getvalue()
    assert "244 communes analysées absentes de poids.csv : poids 0." in err.getvalue()
    assert "1 code de poids.csv hors du territoire analysé (ou sans coordonnées) : ignoré." in err.getvalue()
    with open(tmp_path / "out" / "summary.csv", encoding="utf-8") as handle:
        assert next(csv.DictReader(handle, delimiter=";"))["weight"] == "140"


def test_the_command_stops_on_a_bad_weights_file_with_the_line(tmp_path):
    place_at("15014")
    path = write(tmp_path, "code_insee;weight\n15014;dix\n")
    with pytest.raises(CommandError, match="ligne 2 : poids « dix » illisible pour 15014"):
        call_command(
            "coverage", territory="dep:15", weights=str(path), output=str(tmp_path), stdout=io.StringIO()
        )
    assert CoverageRun.objects.count() == 0
