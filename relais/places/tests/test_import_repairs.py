"""Repairs the importer makes to the open lists (HTML entities, public holidays of public services, the
typology the 2022 list implies), each said on its line and counted in the report."""

import csv
import gzip
import importlib
import io
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

from relais.places.models import Place
from relais.places.opendata import repairs
from relais.places.opendata.importer import import_places
from relais.places.opendata.mednum import COLUMNS
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

EXAMPLE = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-exemple-valide.csv"
LIST_2022 = settings.RELAIS_DATA_DIR / "places" / "lieux_mediation_numerique_2022.csv.gz"
FRANCE_SERVICES = settings.RELAIS_DATA_DIR / "places" / "france_services_2024-08-01.csv"
HTML, PH, TYPOLOGY = repairs.HTML_ENTITIES, repairs.PUBLIC_HOLIDAYS, repairs.TYPOLOGY
unescape_places = importlib.import_module("relais.places.migrations.0006_unescape_names").unescape_places


def example_row(**changes):
    """The official valid example of the standard v1.0.2 (an association, a tiers-lieu), with changes."""
    with open(EXAMPLE, encoding="utf-8") as handle:
        return next(csv.DictReader(handle)) | changes


def first_rows_2022(count=1):
    with gzip.open(LIST_2022, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [next(reader) for _n in range(count)], reader.fieldnames


def write(path, rows, columns):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows({c: row.get(c, "") for c in columns} for row in rows)
    return path


def messages_of(report):
    return {p.line: " ; ".join(p.messages) for p in report.warnings}


# --- HTML entities ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Clic' &amp; Ressources", "Clic' & Ressources"),
        ("L&#39;Atelier", "L'Atelier"),
        ("Caf&eacute; num&eacute;rique", "Café numérique"),
        ("Fermé en ao&ucirc;t", "Fermé en août"),
        ("Tom &amp;amp; Jerry", "Tom & Jerry"),
        ("ao&amp;ucirc;t", "août"),
        ("R&D; ateliers", "R&D; ateliers"),
        ("Loisirs&Associations", "Loisirs&Associations"),
        ("Art &copy sans point-virgule", "Art &copy sans point-virgule"),
    ],
)
def test_entities_are_decoded_until_none_is_left(text, expected):
    assert repairs.unescape(text) == expected


def test_html_entities_of_the_texts_are_decoded_on_import_and_reported_by_line(tmp_path):
    rows = [
        example_row(
            id="s-1",
            nom="Clic' &amp; Ressources",
            adresse="12 rue de l&#39;&Eacute;glise",
            presentation_resume="Caf&eacute; &amp;amp; num&eacute;rique",
        ),
        example_row(id="s-2", nom="R&D numérique"),
    ]
    report = import_places(write(tmp_path / "l.csv", rows, COLUMNS), fmt="mednum-csv")

    place = Place.objects.get(source_id="s-1")
    assert place.name == "Clic' & Ressources"
    assert place.address == "12 rue de l'Église"
    assert place.summary == "Café & numérique"
    assert Place.objects.get(source_id="s-2").name == "R&D numérique"
    assert report.repairs == {HTML: 1}
    assert "entités HTML décodées : nom, adresse, présentation courte." in messages_of(report)[2]
    assert "entités HTML" not in messages_of(report).get(3, "")
    assert report.repair_lines() == ["entités HTML décodées : 1 lieu"]
    assert report.summary().endswith("repairs=html_entities:1")


def test_the_data_migration_decodes_the_places_already_imported():
    escaped = PlaceFactory(name="Clic' &amp; Ressources", description="Tom &amp;amp; Jerry")
    plain = PlaceFactory(name="R&D; ateliers &copy 2022")
    Place.objects.filter(pk=escaped.pk).update(address="1 rue de l&#39;&Eacute;glise")

    assert unescape_places(apps) == 1

    escaped.refresh_from_db()
    assert (escaped.name, escaped.address, escaped.description) == (
        "Clic' & Ressources",
        "1 rue de l'Église",
        "Tom & Jerry",
    )
    assert "amp" not in escaped.search_text
    assert escaped.search_text == escaped.build_search_text()
    plain.refresh_from_db()
    assert plain.name == "R&D; ateliers &copy 2022"
    assert unescape_places(apps) == 0


# --- Public holidays ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"typologies": ["MUNI"], "name": "Espace numérique"}, True),
        ({"typologies": ["CCAS"], "name": "X"}, True),
        ({"labels": ["FRANCE_SERVICES"], "name": "X"}, True),
        ({"name": "Mairie de Sardent"}, True),
        ({"name": "Agence postale communale"}, True),
        ({"name": "LA POSTE"}, True),
        ({"name": "Pôle emploi Reims"}, True),
        ({"name": "Agence France Travail"}, True),
        ({"name": "CAF de la Marne"}, True),
        ({"name": "Accueil CPAM"}, True),
        ({"name": "MSA Sud Champagne"}, True),
        ({"name": "Centre des finances publiques"}, True),
        ({"name": "Centre intercommunal d'action sociale"}, True),
        ({"name": "Café de la gare", "typologies": ["ASSO", "TIERS_LIEUX"]}, False),
        ({"name": "Médiathèque Les Passerelles", "typologies": ["BIB"]}, False),
        ({"name": "Maison de santé", "labels": ["AIDANTS_CONNECT"]}, False),
    ],
)
def test_public_service_structures_are_told_by_typology_label_or_name(data, expected):
    assert repairs.is_public_service(data) is expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        ("Mo-Fr 09:00-12:00", False),
        ("Mo-Fr 09:00-12:00; PH off", True),
        ("Mo-Fr 09:00-12:00; PH 10:00-12:00", True),
        ("Mo-Fr,PH 09:00-12:00", True),
        ('Mo-Fr 09:00-12:00 "fermé PH"', False),
        ("Lu-Ve 9h-12h", None),
    ],
)
def test_a_public_holiday_rule_is_read_from_the_hours(hours, expected):
    assert repairs.has_public_holiday_rule(hours) is expected


def test_public_services_without_a_holiday_rule_get_ph_off_and_the_others_do_not(tmp_path):
    rows = [
        example_row(id="mairie", typologie="MUNI", horaires="Mo-Fr 09:00-12:00"),
        example_row(id="nom", nom="Mairie de Reims", horaires="Mo-Fr 09:00-12:00,14:00-17:00"),
        example_row(id="deja", typologie="CCAS", horaires="Mo-Fr 09:00-12:00; PH 10:00-12:00"),
        example_row(id="asso", horaires="Mo-Fr 09:00-12:00"),
        example_row(id="vide", typologie="MUNI", horaires=""),
    ]
    report = import_places(write(tmp_path / "l.csv", rows, COLUMNS), fmt="mednum-csv")

    hours = dict(Place.objects.values_list("source_id", "opening_hours"))
    assert hours == {
        "mairie": "Mo-Fr 09:00-12:00; PH off",
        "nom": "Mo-Fr 09:00-12:00,14:00-17:00; PH off",
        "deja": "Mo-Fr 09:00-12:00; PH 10:00-12:00",
        "asso": "Mo-Fr 09:00-12:00",
        "vide": "",
    }
    assert report.repairs == {PH: 2}
    messages = messages_of(report)
    expected = "PH off ajouté : structure de service public fermée les jours fériés."
    assert expected in messages[2] and expected in messages[3]
    assert not any(expected in messages.get(line, "") for line in (4, 5, 6))
    assert report.repair_lines() == [
        "PH off ajouté (structure de service public fermée les jours fériés) : 2 lieux"
    ]


def test_reimporting_does_not_add_a_second_ph_off(tmp_path):
    path = write(tmp_path / "l.csv", [example_row(typologie="MUNI", horaires="Mo-Fr 09:00-12:00")], COLUMNS)
    import_places(path, fmt="mednum-csv")
    again = import_places(path, fmt="mednum-csv")

    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Place.objects.get().opening_hours == "Mo-Fr 09:00-12:00; PH off"

    # Nor does importing hours that already carry it (an export of the registry, say).
    exported = write(
        tmp_path / "e.csv", [example_row(typologie="MUNI", horaires="Mo-Fr 09:00-12:00; PH off")], COLUMNS
    )
    report = import_places(exported, fmt="mednum-csv")
    assert (report.unchanged, report.repairs) == (1, {})
    assert Place.objects.get().opening_hours == "Mo-Fr 09:00-12:00; PH off"


def test_the_france_services_list_keeps_its_single_ph_off(tmp_path):
    with open(FRANCE_SERVICES, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        row, columns = next(reader), reader.fieldnames
    report = import_places(write(tmp_path / "fs.csv", [row], columns), fmt="france-services")

    assert Place.objects.get().opening_hours.count("PH off") == 1
    assert PH not in report.repairs


# --- The typology of the 2022 list --------------------------------------------------------------


def test_the_2022_list_places_get_the_typology_their_source_implies(tmp_path):
    (base,), columns = first_rows_2022()
    rows = [
        base | {"id": "a", "labels_nationaux": "CNFS", "nom": "Association l'espoir"},
        base | {"id": "b", "labels_nationaux": "CNFS|France Services", "horaires": "Mo-Fr 09:00-12:00"},
        base | {"id": "c", "typologie": "CCAS", "labels_nationaux": "CNFS"},
        base | {"id": "d", "typologie": "", "labels_nationaux": "", "services": ""},
    ]
    report = import_places(write(tmp_path / "l.csv", rows, columns), fmt="mednum-2022")

    typologies = {p.source_id: sorted(t.code for t in p.typologies.all()) for p in Place.objects.all()}
    assert typologies == {"a": ["EPN"], "b": ["FRANCE_SERVICES"], "c": ["CCAS"], "d": []}
    assert Place.objects.get(source_id="b").opening_hours == "Mo-Fr 09:00-12:00; PH off"
    assert report.repairs == {TYPOLOGY: 2, PH: 1}
    messages = messages_of(report)
    assert "typologie déduite de la source : Espace public numérique (EPN) (services « " in messages[2]
    assert (
        "typologie déduite de la source : France Services (labels_nationaux « France Services »)."
        in messages[3]
    )
    assert "typologie déduite" not in messages.get(4, "") + messages.get(5, "")
    assert report.repair_lines() == [
        "PH off ajouté (structure de service public fermée les jours fériés) : 1 lieu",
        "typologie déduite de la source : 2 lieux",
    ]
    assert report.summary().endswith("repairs=public_holidays:1,typology:2")


def test_relais_own_csv_is_not_repaired(tmp_path):
    from relais.places.opendata.relais_csv import COLUMNS as RELAIS_COLUMNS
    from relais.places.opendata.relais_csv import place_to_row

    place = PlaceFactory(name="R&amp;D", typologies=["FRANCE_SERVICES"], opening_hours="Mo-Fr 09:00-12:00")
    row = place_to_row(place)
    Place.objects.all().delete()
    report = import_places(write(tmp_path / "r.csv", [row], RELAIS_COLUMNS), fmt="csv")

    assert report.repairs == {}
    assert Place.objects.get().opening_hours == "Mo-Fr 09:00-12:00"


# --- The command --------------------------------------------------------------------------------


def test_the_command_says_each_repair_and_its_count(tmp_path):
    rows = [
        example_row(id="a", nom="Clic' &amp; Ressources", typologie="MUNI", horaires="Mo-Fr 09:00-12:00"),
        example_row(id="b", nom="Caf&eacute; num&eacute;rique"),
    ]
    out, err = io.StringIO(), io.StringIO()
    call_command("import_places", str(write(tmp_path / "l.csv", rows, COLUMNS)), stdout=out, stderr=err)

    lines = out.getvalue().splitlines()
    assert "Réparation : entités HTML décodées : 2 lieux" in lines
    assert (
        "Réparation : PH off ajouté (structure de service public fermée les jours fériés) : 1 lieu" in lines
    )
    assert lines[-1].endswith("repairs=html_entities:2,public_holidays:1")
    assert "ligne 2 : " in err.getvalue() and "entités HTML décodées : nom." in err.getvalue()


def test_the_json_form_of_the_standard_is_repaired_too(tmp_path):
    item = example_row(nom="Clic' &amp; Ressources", typologie="MUNI", horaires="Mo-Fr 09:00-12:00")
    path = tmp_path / "l.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    report = import_places(path, fmt="mednum-json")

    place = Place.objects.get()
    assert (place.name, place.opening_hours) == ("Clic' & Ressources", "Mo-Fr 09:00-12:00; PH off")
    assert report.repairs == {HTML: 1, PH: 1}
