"""The real open lists shipped in data/places/ import cleanly, their anomalies reported, not hidden."""

import pytest
from django.conf import settings

from relais.places.models import Place
from relais.places.opendata.france_services import HoursError, day_ranges, weekly_hours
from relais.places.opendata.importer import import_places

pytestmark = pytest.mark.django_db
PLACES = settings.RELAIS_DATA_DIR / "places"


@pytest.mark.parametrize(
    ("text", "ranges"),
    [
        ("09:00 - 12:00 / 13:30 - 17:00", ["09:00-12:00", "13:30-17:00"]),
        ("9h - 12h", ["09:00-12:00"]),
        ("08:30 - 12:00", ["08:30-12:00"]),
        ("00:00 - 00:00", []),
    ],
)
def test_france_services_day_hours_become_osm_ranges(text, ranges):
    assert day_ranges(text) == ranges


@pytest.mark.parametrize("text", ["le matin", "12:00 - 09:00", "09:00 - 25:00"])
def test_unreadable_day_hours_are_refused(text):
    with pytest.raises(HoursError):
        day_ranges(text)


def test_consecutive_identical_days_are_grouped_and_public_holidays_closed():
    row = {
        "h_lundi": "13:30 - 17:00",
        "h_mardi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_mercredi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_jeudi": "09:00 - 12:00 / 13:30 - 17:00",
        "h_vendredi": "09:00 - 12:00",
        "h_samedi": "",
    }
    assert weekly_hours(row) == "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00; PH off"


def test_the_france_services_list_imports_and_reports_its_anomalies():
    report = import_places(PLACES / "france_services_2024-08-01.csv", skip_invalid=True)
    assert report.format == "france-services"
    assert report.total == 2845
    # Saint-Martin (97801) is a collectivité d'outre-mer, outside the communes Relais covers.
    assert [p.line for p in report.rejected] == [1316, 1317]
    assert all("collectivité d'outre-mer" in p.messages[0] for p in report.rejected)
    assert report.created == 2843
    assert any("remplacé par" in m for w in report.warnings for m in w.messages)
    first = Place.objects.get(source_id="fs-1")
    assert first.opening_hours == (
        "Mo 13:30-17:00; Tu-Th 09:00-12:00,13:30-17:00; Fr 09:00-12:00,13:30-16:00; PH off"
    )
    assert first.phone == "+33450568749"
    assert {lab.code for lab in first.labels.all()} == {"FRANCE_SERVICES"}
    again = import_places(PLACES / "france_services_2024-08-01.csv", skip_invalid=True)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2843)
    assert Place.objects.count() == 2843


def test_the_2022_mediation_list_imports_with_old_values_mapped_to_the_standard():
    report = import_places(PLACES / "lieux_mediation_numerique_2022.csv.gz", skip_invalid=True)
    assert report.format == "mednum-2022"
    assert report.total == 6196
    assert len(report.rejected) <= 5
    assert report.created == report.total - len(report.rejected)
    messages = [m for w in report.warnings for m in w.messages]
    assert any("horaires invalides" in m for m in messages)
    assert any("position approximative" in m for m in messages)
    cnfs = Place.objects.filter(labels__code="CONSEILLER_NUMERIQUE").count()
    assert cnfs >= 4900
    assert not Place.objects.filter(services__isnull=True, source__contains="conseiller").exists()
