"""Opening hours as people read them (hours.py): weekly table, open now, next public-holiday closure."""

import datetime
import zoneinfo

import pytest
from django.utils import translation

from relais.places import hours

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
REUNION = zoneinfo.ZoneInfo("Indian/Reunion")
OFFICE = "Mo-Fr 09:00-12:00,14:00-17:30; PH off"


@pytest.fixture(autouse=True)
def _french():
    with translation.override("fr"):
        yield


def rows(place_hours):
    return [(d.weekday, d.date.isoformat(), d.text) for d in place_hours.days]


def test_the_weekly_table_lists_monday_to_sunday_for_the_coming_seven_days():
    # Wednesday 18 November 2026, 10:00 in Aurillac.
    result = hours.hours_of(OFFICE + "; Sa 10:00-12:00", "15", datetime.datetime(2026, 11, 18, 10, 0))

    assert rows(result) == [
        ("lundi", "2026-11-23", "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"),
        ("mardi", "2026-11-24", "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"),
        ("mercredi", "2026-11-18", "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"),
        ("jeudi", "2026-11-19", "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"),
        ("vendredi", "2026-11-20", "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"),
        ("samedi", "2026-11-21", "10 h 00 – 12 h 00"),
        ("dimanche", "2026-11-22", "Fermé"),
    ]
    assert [d.is_today for d in result.days] == [False, False, True, False, False, False, False]
    assert result.open_now is True
    assert result.status_text == "Ouvert en ce moment — ferme à 12 h 00"


def test_the_status_line_says_when_a_closed_place_opens_again():
    friday_evening = datetime.datetime(2026, 11, 20, 19, 0)
    result = hours.hours_of(OFFICE, "15", friday_evening)

    assert result.open_now is False
    assert result.status_text == "Fermé en ce moment — ouvre lundi 23 novembre à 9 h 00"
    thursday_evening = hours.hours_of(OFFICE, "15", datetime.datetime(2026, 11, 19, 19, 0))
    assert thursday_evening.status_text == "Fermé en ce moment — ouvre demain à 9 h 00"


def test_comments_unknown_slots_and_whole_days_are_spelled_out():
    result = hours.hours_of(
        'Mo 10:00-12:00 "sur rendez-vous"; Tu unknown; We 00:00-24:00', "15", datetime.datetime(2026, 11, 16)
    )

    by_day = {d.weekday: d.text for d in result.days}
    assert by_day["lundi"] == "10 h 00 – 12 h 00 (sur rendez-vous)"
    assert by_day["mardi"] == "0 h 00 – 24 h 00 (à confirmer)"
    assert by_day["mercredi"] == "Ouvert 24 h sur 24"


def test_no_status_line_when_the_hours_say_unknown_right_now():
    tuesday = datetime.datetime(2026, 11, 17, 10, 0)

    result = hours.hours_of("Mo 10:00-12:00; Tu unknown", "15", tuesday)

    assert result.open_now is None
    assert result.status_text == ""


def test_a_night_opening_is_split_at_midnight():
    result = hours.hours_of("Fr 22:00-02:00", "15", datetime.datetime(2026, 11, 16))

    by_day = {d.weekday: d.text for d in result.days}
    assert by_day["vendredi"] == "22 h 00 – 24 h 00"
    assert by_day["samedi"] == "0 h 00 – 2 h 00"


def test_the_week_of_the_spring_clock_change_keeps_wall_clock_hours():
    # Clocks go from 02:00 to 03:00 on Sunday 29 March 2026: that Sunday has 23 hours.
    result = hours.hours_of(
        "Mo-Sa 08:00-12:00; Sa 08:00-12:00,22:00-24:00; Su 01:00-04:00",
        "15",
        datetime.datetime(2026, 3, 26, 12, 30),
    )

    by_date = {d.date.isoformat(): d.text for d in result.days}
    assert by_date["2026-03-28"] == "8 h 00 – 12 h 00, 22 h 00 – 24 h 00"
    assert by_date["2026-03-29"] == "1 h 00 – 4 h 00"
    assert by_date["2026-03-30"] == "8 h 00 – 12 h 00"
    assert by_date["2026-04-01"] == "8 h 00 – 12 h 00"
    assert [d.date.isoformat() for d in result.days] == [
        "2026-03-30",
        "2026-03-31",
        "2026-04-01",
        "2026-03-26",
        "2026-03-27",
        "2026-03-28",
        "2026-03-29",
    ]


def test_the_week_of_the_autumn_clock_change_keeps_wall_clock_hours():
    # Clocks go back from 03:00 to 02:00 on Sunday 25 October 2026: that Sunday has 25 hours.
    at = datetime.datetime(2026, 10, 24, 23, 30, tzinfo=datetime.UTC)  # 01:30 summer time in Paris
    result = hours.hours_of("Mo-Su 09:00-18:00", "75", at)

    assert result.now.date() == datetime.date(2026, 10, 25)
    assert all(d.text == "9 h 00 – 18 h 00" for d in result.days)
    assert result.status_text == "Fermé en ce moment — ouvre à 9 h 00"


def test_an_overseas_place_is_read_in_its_own_local_time():
    # 10:00 in Paris is 13:00 in Réunion (UTC+4 all year, while Paris is UTC+1 in winter).
    at = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=PARIS)
    reunion = hours.hours_of("Mo-Fr 08:00-12:00", "974", at)
    paris = hours.hours_of("Mo-Fr 08:00-12:00", "75", at)

    assert reunion.now.tzinfo == REUNION
    assert reunion.open_now is False
    assert reunion.status_text == "Fermé en ce moment — ouvre lundi 23 novembre à 8 h 00"
    assert paris.open_now is True
    # Late on Friday in Paris is already Saturday in Réunion: its week starts a day later.
    late = datetime.datetime(2026, 11, 20, 22, 0, tzinfo=PARIS)
    assert [d.date for d in hours.hours_of("Mo-Fr 08:00-12:00", "974", late).days if d.is_today] == [
        datetime.date(2026, 11, 21)
    ]


def test_the_next_public_holiday_closure_is_announced():
    result = hours.hours_of(OFFICE, "15", datetime.datetime(2026, 11, 20, 10, 0))

    assert result.closure == hours.Closure(datetime.date(2026, 12, 25), "Noël")
    assert result.closure.text == "Fermé le vendredi 25 décembre 2026 (Noël, jour férié)"


def test_a_holiday_in_the_table_is_named_and_the_regular_week_skips_it():
    result = hours.hours_of(OFFICE, "15", datetime.datetime(2026, 12, 21, 10, 0))

    friday = next(d for d in result.days if d.weekday == "vendredi")
    assert (friday.date, friday.text, friday.holiday) == (datetime.date(2026, 12, 25), "Fermé", "Noël")
    regular_friday = next(d for d in result.regular_days if d.weekday == "vendredi")
    assert regular_friday.text == "9 h 00 – 12 h 00, 14 h 00 – 17 h 30"
    assert not regular_friday.holiday


def test_no_closure_when_the_place_opens_on_holidays_or_is_closed_that_weekday_anyway():
    at = datetime.datetime(2026, 11, 20, 10, 0)

    assert hours.hours_of("Mo-Fr 09:00-12:00", "15", at).closure is None  # open on holidays
    # Closed on Fridays anyway: Christmas and New Year's Day (both Fridays) are no news.
    assert hours.hours_of("Mo-Th 09:00-12:00; PH off", "15", at).closure is None


def test_the_first_of_the_month_is_written_1er():
    result = hours.hours_of(OFFICE, "15", datetime.datetime(2026, 4, 20, 10, 0))

    assert result.closure.text == "Fermé le vendredi 1er mai 2026 (Fête du Travail, jour férié)"


def test_regional_holidays_come_from_the_departement():
    # Saint-Étienne (26 December) is a public holiday in Alsace-Moselle only.
    moselle = hours.holiday_calendar("57", [2026])
    cantal = hours.holiday_calendar("15", [2026])
    reunion = hours.holiday_calendar("974", [2026])

    assert datetime.date(2026, 12, 26) in moselle
    assert datetime.date(2026, 12, 26) not in cantal
    assert reunion.get(datetime.date(2026, 12, 20)) == "Abolition de l'esclavage"


def test_no_hours_and_unreadable_hours():
    assert hours.hours_of("", "15") is None
    unreadable = hours.hours_of("lundi matin", "15")
    assert unreadable.valid is False
    assert unreadable.days == []
    assert hours.opening_hours_specification(unreadable) == []


def test_the_schema_org_specification_describes_an_ordinary_week():
    result = hours.hours_of(
        OFFICE + "; Sa 10:00-12:00; Su 22:00-24:00", "15", datetime.datetime(2026, 12, 21)
    )

    spec = hours.opening_hours_specification(result)

    friday = [s for s in spec if s["dayOfWeek"] == "https://schema.org/Friday"]
    assert [(s["opens"], s["closes"]) for s in friday] == [("09:00", "12:00"), ("14:00", "17:30")]
    assert {
        "@type": "OpeningHoursSpecification",
        "dayOfWeek": "https://schema.org/Sunday",
        "opens": "22:00",
        "closes": "23:59",
    } in spec
    assert len(spec) == 12
    assert hours.special_opening_hours(result) == [
        {
            "@type": "OpeningHoursSpecification",
            "opens": "00:00",
            "closes": "00:00",
            "validFrom": "2026-12-25",
            "validThrough": "2026-12-25",
        }
    ]


def test_times_and_dates_follow_the_active_language():
    with translation.override("en"):
        result = hours.hours_of(OFFICE, "15", datetime.datetime(2026, 11, 20, 10, 0))
        assert result.days[0].weekday == "Monday"
        assert "Christmas" in result.closure.holiday
