"""Exports for a place's team: the availability of a week and the occupancy of a period, CSV and ODS."""

import csv
import datetime
import io

import pytest
from django.utils import timezone
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from relais.accounts.models import PlaceRole
from relais.privacy.audit import Actor
from relais.spaces import exports, services
from relais.spaces.models import Booking, Closure
from relais.testing import PlaceFactory, UserFactory

from .conftest import NOW, paris

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))


@pytest.fixture
def booked(room, pool, member_actor):
    services.book(member_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)
    services.book(member_actor, pool, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 11, 0), quantity=2, now=NOW)


def ods_rows(data):
    document = load(io.BytesIO(data))
    rows = []
    for table in document.spreadsheet.getElementsByType(Table):
        for row in table.getElementsByType(TableRow):
            rows.append(
                [cell.getAttribute("value") or str(cell) for cell in row.getElementsByType(TableCell)]
            )
    return rows


# --- Availability of a week -------------------------------------------------------------------------


def test_availability_lists_the_open_slots_of_the_week(place, room, pool, booked):
    rows = exports.availability_rows(place, datetime.date(2026, 3, 4))

    room_rows = [r for r in rows if r["ressource"] == "Salle Cantal"]
    assert len(room_rows) == 5 * 14  # Monday to Friday, 7 open hours in 30-minute slots
    assert {r["jour"] for r in room_rows} == {f"2026-03-0{d}" for d in range(2, 7)}
    by_slot = {(r["ressource"], r["jour"], r["début"]): r for r in rows}
    assert by_slot["Salle Cantal", "2026-03-03", "09:00"]["places libres"] == 0
    assert by_slot["Salle Cantal", "2026-03-03", "10:00"]["places libres"] == 1
    assert by_slot["Open space", "2026-03-03", "10:30"] == {
        "ressource": "Open space",
        "jour": "2026-03-03",
        "début": "10:30",
        "fin": "11:00",
        "places libres": 1,
        "capacité": 3,
    }
    assert ("Salle Cantal", "2026-03-03", "12:00") not in by_slot  # lunch: closed


def test_a_closure_removes_its_slots(place, room):
    Closure.objects.create(place=place, start=paris(2026, 3, 6, 0, 0), end=paris(2026, 3, 7, 0, 0))

    rows = exports.availability_rows(place, datetime.date(2026, 3, 2))

    assert "2026-03-06" not in {r["jour"] for r in rows}


def test_slots_keep_the_wall_clock_across_the_clock_change(place, room):
    rows = exports.availability_rows(place, datetime.date(2026, 3, 30))

    monday = [r for r in rows if r["jour"] == "2026-03-30"]
    assert monday[0]["début"] == "09:00"
    assert monday[-1]["fin"] == "18:00"


# --- Occupancy of a period ----------------------------------------------------------------------------


def test_occupancy_counts_seat_hours_and_no_shows(place, room, pool, booked):
    Booking.objects.filter(resource=room).update(status="no_show")
    services.book(
        Actor(user=UserFactory()), room, paris(2026, 3, 4, 14, 0), paris(2026, 3, 4, 16, 0), now=NOW
    )
    cancelled = services.book(
        Actor(user=UserFactory()), room, paris(2026, 3, 5, 14, 0), paris(2026, 3, 5, 16, 0), now=NOW
    )
    services.cancel(Actor(user=cancelled.person), cancelled, now=NOW)

    rows = {
        r["ressource"]: r
        for r in exports.occupancy_rows(place, datetime.date(2026, 3, 2), datetime.date(2026, 3, 6))
    }

    assert rows["Salle Cantal"] == {
        "ressource": "Salle Cantal",
        "type": "salle de réunion",
        "réservations": 2,
        "heures réservées": 3.0,
        "heures disponibles": 35.0,
        "taux d'occupation (%)": 8.6,
        "absences": 1,
    }
    assert rows["Open space"]["heures réservées"] == 4.0
    assert rows["Open space"]["heures disponibles"] == 105.0


# --- Downloads ----------------------------------------------------------------------------------------


def test_the_team_downloads_the_availability_as_csv(client, place, manager, room, booked):
    client.force_login(manager)

    response = client.get(f"/espaces/lieux/{place.pk}/export/disponibilites.csv?semaine=2026-03-04")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="disponibilites-2026-03-02.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == ["ressource", "jour", "début", "fin", "places libres", "capacité"]
    assert ["Salle Cantal", "2026-03-03", "09:00", "09:30", "0", "1"] in lines


def test_the_team_downloads_the_occupancy_as_ods(client, place, manager, room, booked):
    client.force_login(manager)

    response = client.get(f"/espaces/lieux/{place.pk}/export/occupation.ods?du=2026-03-02&au=2026-03-06")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.oasis.opendocument.spreadsheet"
    rows = ods_rows(response.content)
    assert rows[0][:3] == ["ressource", "type", "réservations"]
    assert ["Salle Cantal", "salle de réunion", "1", "1.0", "35.0", "2.9", "0"] in rows


def test_the_availability_ods_and_occupancy_csv(client, place, manager, room):
    client.force_login(manager)

    ods = client.get(f"/espaces/lieux/{place.pk}/export/disponibilites.ods?semaine=2026-03-02")
    assert ods.status_code == 200
    assert ods_rows(ods.content)[1][:4] == ["Salle Cantal", "2026-03-02", "09:00", "09:30"]
    csv_response = client.get(f"/espaces/lieux/{place.pk}/export/occupation.csv?du=2026-03-02&au=2026-03-02")
    assert csv_response.content.startswith("\ufeff".encode())  # the BOM: spreadsheets read UTF-8
    assert (
        csv_response.content.decode("utf-8-sig").splitlines()[1]
        == "Salle Cantal;salle de réunion;0;0;7,0;0,0;0"
    )


@pytest.mark.parametrize(
    "query,message",
    [
        (
            "disponibilites.csv?semaine=02/03/2026",
            "Semaine invalide : indiquez une date au format AAAA-MM-JJ",
        ),
        ("occupation.csv?du=2026-03-02", "Période invalide : indiquez ?du=AAAA-MM-JJ&au=AAAA-MM-JJ"),
        ("occupation.ods?du=2026-03-09&au=2026-03-02", "la date de fin précède la date de début"),
        ("occupation.csv?du=2026-01-01&au=2027-12-31", "Période trop longue : 366 jours au plus."),
    ],
)
def test_bad_dates_are_refused_in_french(client, place, manager, query, message):
    client.force_login(manager)

    response = client.get(f"/espaces/lieux/{place.pk}/export/{query}")

    assert response.status_code == 400
    assert message in response.content.decode("utf-8")


def test_exports_are_for_the_team_of_the_place(client, place, member, room):
    url = f"/espaces/lieux/{place.pk}/export/occupation.csv?du=2026-03-02&au=2026-03-06"
    assert client.get(url).status_code == 302

    client.force_login(member)
    assert client.get(url).status_code == 404

    other = UserFactory()
    PlaceRole.objects.create(user=other, place=PlaceFactory(), role=PlaceRole.Role.MANAGER)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(f"/espaces/lieux/{place.pk}/export/disponibilites.ods").status_code == 404
