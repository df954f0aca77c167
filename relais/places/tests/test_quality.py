"""Completeness score of a place's data (quality.py)."""

import datetime

import pytest

from relais.places import quality
from relais.places.models import Accessibility, Public
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 20)


def complete_place(**overrides):
    values = {
        "summary": "Un tiers-lieu pour travailler et apprendre.",
        "phone": "+33471000000",
        "websites": ["https://grange.example.org"],
        "wheelchair": Accessibility.YES,
        "data_updated_on": TODAY - datetime.timedelta(days=10),
        "typologies": ["COWORKING"],
        "services": ["DEMARCHES"],
    }
    values.update(overrides)
    place = PlaceFactory(**values)
    place.publics.set(Public.objects.all()[:1])
    return place


def test_the_weights_add_up_to_100():
    assert sum(check.weight for check, _test in quality.CHECKLIST) == 100


def test_a_complete_place_scores_100():
    result = quality.completeness(complete_place(), TODAY)

    assert result.score == 100
    assert result.missing == []
    assert result.is_complete


def test_an_empty_place_lists_everything_to_fill_in_in_french_heaviest_first():
    place = PlaceFactory(
        address="",
        postal_code="",
        latitude=None,
        longitude=None,
        opening_hours="",
        data_updated_on=datetime.date(2020, 1, 1),
    )

    result = quality.completeness(place, TODAY)

    assert result.score == 0
    labels = [str(check.label) for check in result.missing]
    assert labels[:2] == [
        "une position précise sur la carte (coordonnées du lieu, pas de la commune)",
        "des horaires d'ouverture lisibles",
    ]
    assert "un téléphone ou une adresse e-mail" in labels
    assert "une confirmation des données depuis moins de six mois" in labels
    assert len(labels) == len(quality.CHECKLIST)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"location_approximate": True}, "position"),
        ({"address": ""}, "address"),
        ({"opening_hours": "n'importe quand"}, "hours"),
        ({"phone": "", "emails": []}, "contact"),
        ({"websites": [], "booking_url": ""}, "website"),
        ({"services": []}, "services"),
        ({"wheelchair": ""}, "accessibility"),
        ({"summary": ""}, "presentation"),
        ({"typologies": []}, "typology"),
        ({"data_updated_on": TODAY - datetime.timedelta(days=200)}, "recent"),
    ],
)
def test_each_missing_item_costs_its_weight(overrides, code):
    place = complete_place(**overrides)

    result = quality.completeness(place, TODAY)

    assert [check.code for check in result.missing] == [code]
    weight = next(check.weight for check, _test in quality.CHECKLIST if check.code == code)
    assert result.score == 100 - weight


def test_alternatives_count():
    by_email = complete_place(phone="", emails=["contact@grange.example.org"])
    by_booking = complete_place(websites=[], booking_url="https://rdv.example.org/grange")
    by_notes = complete_place(wheelchair="", accessibility_notes="Une marche à l'entrée.")

    for place in (by_email, by_booking, by_notes):
        assert quality.completeness(place, TODAY).score == 100


def test_six_months_are_counted_in_calendar_months():
    assert quality.months_ago(datetime.date(2026, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert quality.months_ago(datetime.date(2026, 3, 15), 6) == datetime.date(2025, 9, 15)
    just_fresh = complete_place(data_updated_on=datetime.date(2026, 5, 20))
    just_stale = complete_place(data_updated_on=datetime.date(2026, 5, 19))

    assert quality.completeness(just_fresh, TODAY).score == 100
    assert [c.code for c in quality.completeness(just_stale, TODAY).missing] == ["recent"]
