"""Loading the reference geography: what the vendored files hold, and that loading again is harmless.

The full files are loaded once per test session (conftest); loading them again takes several seconds,
so re-loading is exercised on an extract of the same files (every région, département and EPCI, the
communes of the Cantal and of La Réunion), which goes through the same code.
"""

import csv
import gzip
import io
import shutil
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count

from relais.territory.models import Commune, CommuneAlias, Department, Epci, PostalCode, Region
from relais.territory.services import load_territory

MODELS = (Region, Department, Epci, Commune, PostalCode, CommuneAlias)
EXTRACT_DEPARTMENTS = {"15", "974"}


def _counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def _duplicate_postal_codes():
    """(postal code, commune) pairs present more than once."""
    return list(PostalCode.objects.values("code", "commune").annotate(n=Count("id")).filter(n__gt=1)[:5])


@pytest.fixture(scope="module")
def extract(tmp_path_factory):
    """A data directory with the real files, communes and passage codes cut down to two départements."""
    source, target = settings.RELAIS_DATA_DIR, tmp_path_factory.mktemp("territory")
    for name in ("regions.csv", "departements.csv", "epci.csv", "arrondissements.csv"):
        shutil.copy(source / name, target / name)
    with gzip.open(source / "communes.csv.gz", "rt", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [row for row in reader if row["dep_code"] in EXTRACT_DEPARTMENTS]
        fields = reader.fieldnames
    with gzip.open(target / "communes.csv.gz", "wt", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fields)
        writer.writeheader()
        writer.writerows(rows)
    codes = {row["code_insee"] for row in rows}
    with open(source / "communes_passage.csv", encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        aliases = [row for row in reader if row["code_insee_actuel"] in codes]
        alias_fields = reader.fieldnames
    with open(target / "communes_passage.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, alias_fields)
        writer.writeheader()
        writer.writerows(aliases)
    return SimpleNamespace(
        path=target,
        communes=len(rows),
        postal_codes=sum(len(row["codes_postaux"].split()) for row in rows),
        aliases=len(aliases),
    )


# --- What the session's load of the full files gave ------------------------------------------------


@pytest.mark.django_db
def test_reference_data_holds_every_commune_departement_region_and_epci():
    assert Commune.objects.count() == 34_875
    assert Department.objects.count() == 101
    assert Region.objects.count() == 18
    assert Epci.objects.count() == 1_255
    assert PostalCode.objects.count() == 35_359
    assert CommuneAlias.objects.count() == 4_285


@pytest.mark.django_db
def test_exactly_four_communes_have_no_coordinates():
    assert sorted(Commune.objects.filter(latitude__isnull=True).values_list("code_insee", flat=True)) == [
        "15031",
        "15035",
        "15047",
        "15171",
    ]
    assert not Commune.objects.filter(latitude__isnull=True, longitude__isnull=False).exists()


@pytest.mark.django_db
def test_overseas_communes_belong_to_the_five_drom():
    departments = set(Commune.objects.filter(zone="drom").values_list("department_id", flat=True).distinct())
    assert departments == {"971", "972", "973", "974", "976"}


@pytest.mark.django_db
def test_every_commune_is_stored_with_its_normalised_name():
    assert not Commune.objects.filter(search_name="").exists()
    assert Commune.objects.get(code_insee="42218").search_name == "saint etienne"


@pytest.mark.django_db
def test_loading_reports_the_communes_without_coordinates(extract):
    report = load_territory(extract.path)
    assert report.without_coordinates == 4  # all four are in the Cantal
    assert (report.regions, report.departments, report.epcis) == (18, 101, 1_255)
    assert report.communes == extract.communes
    assert report.postal_codes == extract.postal_codes
    assert report.aliases == extract.aliases
    assert report.arrondissements == 45


# --- Loading again ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_loading_again_keeps_the_same_counts_and_creates_no_duplicates(extract):
    first = load_territory(extract.path)
    after_first = _counts()
    second = load_territory(extract.path)
    assert _counts() == after_first
    assert second == first
    assert _duplicate_postal_codes() == []
    # Postal and passage codes are replaced as a whole: as many as the files list, not twice as many.
    assert after_first["PostalCode"] == extract.postal_codes
    assert after_first["CommuneAlias"] == extract.aliases
    # Communes are updated in place: the ones outside the extract are still there.
    assert after_first["Commune"] == 34_875


@pytest.mark.django_db
def test_loading_again_restores_what_the_reference_files_say(extract):
    Commune.objects.filter(code_insee="15014").update(name="Aurillac modifiée", search_name="x", population=1)
    PostalCode.objects.filter(commune_id="97411", code="97417").delete()
    PostalCode.objects.create(code="99999", commune_id="97411")
    load_territory(extract.path)
    aurillac = Commune.objects.get(code_insee="15014")
    assert (aurillac.name, aurillac.search_name, aurillac.population) == ("Aurillac", "aurillac", 26_214)
    assert sorted(PostalCode.objects.filter(commune_id="97411").values_list("code", flat=True)) == [
        "97400",
        "97417",
        "97490",
    ]


@pytest.mark.django_db
def test_the_load_command_reports_what_it_loaded(extract):
    out = io.StringIO()
    call_command("load_territory", "--data-dir", str(extract.path), stdout=out, verbosity=0)
    output = out.getvalue()
    for expected in (
        "regions=18",
        "departments=101",
        "epcis=1255",
        f"communes={extract.communes}",
        "communes_without_coordinates=4",
        "arrondissements=45",
    ):
        assert expected in output
