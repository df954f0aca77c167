"""Relais' own CSV and GeoJSON give the same registry back, ids included; the commands wrap the same code."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from relais.places.models import Place
from relais.places.opendata.exporter import export_places
from relais.places.opendata.importer import import_places
from relais.places.services import create_place, snapshot
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def make_registry():
    PlaceFactory(
        name="Coworking « La Fabrique » ; Aurillac",
        typologies=["COWORKING", "FABLAB"],
        services=["POSTE_TRAVAIL", "MACHINES_FABLAB"],
        labels=["FABRIQUE_TERRITOIRE", "MICRO_FOLIE"],
        siret="43493312300029",
        phone="+33471000000",
        emails=["contact@fabrique.example"],
        websites=["https://fabrique.example/"],
        fees=["PAYANT"],
        access_modes=["SE_PRESENTER"],
        wheelchair="yes",
        legal_form="scic",
        description="Deux lignes\net des « guillemets »",
        summary="Espace partagé",
        is_demo=True,
    )
    # Created without coordinates: placed at the centre of its commune, flagged as approximate.
    create_place({"name": "Sans position", "code_insee": "15014", "status": "project"}, SYSTEM)
    PlaceFactory(
        name="EPN de Saint-Denis",
        commune_id="97411",
        postal_code="97400",
        latitude=-20.87897,
        longitude=55.44863,
        typologies=["EPN"],
        source="Réseau régional",
        source_id="epn-974-1",
    )
    return {str(p.pk): snapshot(p) for p in Place.objects.all()}


def export(fmt):
    buffer = io.StringIO()
    export_places(buffer, fmt)
    return buffer.getvalue()


@pytest.mark.parametrize(("fmt", "suffix"), [("csv", ".csv"), ("geojson", ".geojson")])
def test_an_export_reimported_into_an_empty_registry_gives_the_same_places(tmp_path, fmt, suffix):
    before = make_registry()
    path = tmp_path / f"registre{suffix}"
    path.write_text(export(fmt), encoding="utf-8")
    Place.objects.all().delete()
    report = import_places(path)
    assert (report.format, report.created, report.rejected) == (fmt, 3, [])
    after = {str(p.pk): snapshot(p) for p in Place.objects.all()}
    assert after == before


def test_the_relais_csv_uses_semicolons_and_utf8():
    make_registry()
    text = export("csv")
    assert text.splitlines()[0].startswith("id;name;status;typologies")
    assert "Coworking « La Fabrique » ; Aurillac" in text


def test_geojson_points_are_longitude_first():
    make_registry()
    payload = json.loads(export("geojson"))
    feature = next(f for f in payload["features"] if f["properties"]["name"] == "EPN de Saint-Denis")
    assert feature["geometry"] == {"type": "Point", "coordinates": [55.44863, -20.87897]}
    approximate = next(f for f in payload["features"] if f["properties"]["name"] == "Sans position")
    assert approximate["properties"]["location_approximate"] == "1"


def test_export_command_writes_the_file_and_import_command_reads_it(tmp_path):
    make_registry()
    path = tmp_path / "out.csv"
    out = io.StringIO()
    call_command("export_places", format="mednum-csv", output=str(path), stdout=out, verbosity=0)
    assert "places=3" in out.getvalue()
    Place.objects.all().delete()
    out = io.StringIO()
    call_command("import_places", str(path), stdout=out, stderr=io.StringIO(), verbosity=0)
    assert "created=3" in out.getvalue()
    assert Place.objects.count() == 3


def test_import_command_fails_with_the_lines_at_fault_and_writes_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text(
        "id,pivot,nom,commune,code_postal,code_insee,adresse,date_maj,telephone\n"
        "a,00000000000000,Lieu A,Aurillac,15000,15014,1 rue A,2024-01-01,\n"
        "b,00000000000000,Lieu B,Aurillac,15000,15014,1 rue B,2024-01-01,123\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 ligne invalide sur 2"):
        call_command("import_places", str(path), stderr=err, stdout=io.StringIO(), verbosity=0)
    assert "ligne 3 : telephone" in err.getvalue()
    assert Place.objects.count() == 0
    out = io.StringIO()
    call_command("import_places", str(path), skip_invalid=True, stdout=out, stderr=io.StringIO(), verbosity=0)
    assert "created=1" in out.getvalue()
