"""Public holidays the hours do not mention: "not stated", never "open" (issue 11 §1).

6,250 of the 9,068 real places have hours without a `PH` rule: the parser would open them on Christmas
like any Friday. The directory, the place page and the API say "horaires des jours fériés non précisés".
"""

import datetime

import pytest
from django.urls import reverse

from relais.places import api, directory, hours
from relais.places.index import Entry
from relais.testing import PlaceFactory, assert_french, place_in

pytestmark = pytest.mark.django_db

CHRISTMAS = datetime.date(2026, 12, 25)  # a Friday
CHRISTMAS_MORNING = datetime.datetime(2026, 12, 25, 10, 0)
CHRISTMAS_EVE = datetime.datetime(2026, 12, 24, 10, 0)  # a Thursday, not a holiday
NO_RULE = "Mo-Fr 09:00-18:00"
PH_OFF = "Mo-Fr 09:00-18:00; PH off"
PH_MORNING = "Mo-Fr 09:00-18:00; PH 10:00-12:00"
NOT_STATED = "horaires des jours fériés non précisés"


# --- The rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "stated"),
    [(NO_RULE, False), (PH_OFF, True), (PH_MORNING, True), ("Mo-Fr,PH 09:00-12:00", True), ("24/7", True)],
)
def test_hours_state_public_holidays_with_a_ph_rule(expression, stated):
    assert hours.states_holidays(expression) is stated


def test_a_holiday_the_hours_do_not_mention_is_not_stated_never_open():
    assert hours.state_at(NO_RULE, "15", CHRISTMAS_MORNING) == hours.STATE_NOT_STATED
    assert hours.state_at(PH_OFF, "15", CHRISTMAS_MORNING) == hours.STATE_CLOSED
    assert hours.state_at(PH_MORNING, "15", CHRISTMAS_MORNING) == hours.STATE_OPEN
    assert hours.state_at(NO_RULE, "15", CHRISTMAS_EVE) == hours.STATE_OPEN
    assert hours.state_at(NO_RULE, "15", datetime.datetime(2026, 12, 26, 10)) == hours.STATE_CLOSED  # Sat
    assert hours.state_at("", "15", CHRISTMAS_MORNING) is None
    assert hours.state_on(NO_RULE, "15", CHRISTMAS) == hours.STATE_NOT_STATED
    assert hours.state_on(PH_OFF, "15", CHRISTMAS) == hours.STATE_CLOSED
    assert hours.state_on(NO_RULE, "15", datetime.date(2026, 12, 24)) == hours.STATE_OPEN


def test_alsace_moselle_holidays_the_parser_does_not_know_are_read_from_the_departement():
    st_stephen = datetime.datetime(2026, 12, 26, 10)  # a Saturday, a holiday in 57, 67 and 68 only
    saturday = "Mo-Sa 09:00-12:00"
    assert hours.state_at(saturday + "; PH off", "67", st_stephen) == hours.STATE_CLOSED
    assert hours.state_at(saturday + "; PH off", "15", st_stephen) == hours.STATE_OPEN
    assert hours.state_at(saturday, "57", st_stephen) == hours.STATE_NOT_STATED
    # Another PH rule cannot be read for a day the parser does not take for a holiday: not stated.
    assert hours.state_at(saturday + "; PH 10:00-11:00", "68", st_stephen) == hours.STATE_NOT_STATED


# --- The directory --------------------------------------------------------------------------------


def run(at=None, **data):
    params, errors = directory.parse_params({k: str(v) for k, v in data.items()})
    return directory.run(params, errors, at=at or CHRISTMAS_EVE)


def test_open_on_a_holiday_leaves_out_places_whose_hours_do_not_say_unless_asked():
    silent = PlaceFactory(name="CCAS d'Aurillac", opening_hours=NO_RULE)
    PlaceFactory(name="France services", opening_hours=PH_OFF)
    morning = PlaceFactory(name="Tiers-lieu ouvert les fériés", opening_hours=PH_MORNING)

    default = run(where="Cantal", open_on="2026-12-25")
    assert [i.entry.name for i in default.items] == [morning.name]
    assert default.items[0].holiday_note == ""

    asked = run(where="Cantal", open_on="2026-12-25", include_unstated_holidays=1)
    assert [i.entry.name for i in asked.items] == [silent.name, morning.name]
    note = asked.items[0].holiday_note
    assert note == "Le vendredi 25 décembre 2026 est un jour férié : horaires des jours fériés non précisés."
    assert_french(note)
    # An ordinary day is not concerned.
    assert run(where="Cantal", open_on="2026-12-24").count == 3


def test_open_now_on_a_holiday_leaves_them_out_and_items_do_not_say_open():
    silent = PlaceFactory(name="Agence postale", opening_hours=NO_RULE)
    assert run(at=CHRISTMAS_MORNING, where="Cantal", open_now=1).count == 0
    asked = run(at=CHRISTMAS_MORNING, where="Cantal", open_now=1, include_unstated_holidays=1)
    assert [i.entry.id for i in asked.items] == [silent.pk]
    item = run(at=CHRISTMAS_MORNING, where="Cantal").items[0]
    assert item.open_now is None
    assert item.holiday_note == "Aujourd'hui est un jour férié : horaires des jours fériés non précisés."


def test_the_include_checkbox_is_in_the_form_off_by_default_and_kept_in_the_url(client):
    PlaceFactory(opening_hours=NO_RULE)
    url = reverse("places:list")
    html = client.get(url, {"where": "Cantal", "open_on": "2026-12-25"}).content.decode()
    assert 'name="include_unstated_holidays"' in html
    assert 'id="id_include_unstated_holidays" checked' not in html
    assert "Inclure les lieux dont les horaires des jours fériés ne sont pas précisés" in html
    html = client.get(
        url, {"where": "Cantal", "open_on": "2026-12-25", "include_unstated_holidays": "1"}
    ).content.decode()
    assert 'id="id_include_unstated_holidays" checked' in html
    assert "est un jour férié : horaires des jours fériés non précisés." in html
    params, _ = directory.parse_params({"include_unstated_holidays": "1"})
    assert params.as_query_dict() == {"include_unstated_holidays": "1"}


# --- The place page -------------------------------------------------------------------------------


def test_the_hours_table_marks_a_holiday_the_hours_do_not_mention():
    page = hours.hours_of(NO_RULE, "15", CHRISTMAS_EVE)
    assert page.holidays_stated is False
    christmas = next(d for d in page.days if d.date == CHRISTMAS)
    assert christmas.holiday_not_stated and not christmas.is_open
    assert christmas.text == "Horaires des jours fériés non précisés (un jour ordinaire : 9 h 00 – 18 h 00)"
    stated = hours.hours_of(PH_OFF, "15", CHRISTMAS_EVE)
    assert stated.holidays_stated is True
    assert next(d for d in stated.days if d.date == CHRISTMAS).text == "Fermé"


def test_on_the_holiday_itself_the_status_says_not_stated():
    page = hours.hours_of(NO_RULE, "15", CHRISTMAS_MORNING)
    assert page.now_state == hours.STATE_NOT_STATED
    assert page.status_text == "Aujourd'hui, Noël, jour férié : horaires des jours fériés non précisés"
    assert hours.hours_of(PH_OFF, "15", CHRISTMAS_MORNING).status_text.startswith("Fermé en ce moment")


def test_the_place_page_in_alsace_closes_st_stephen_under_ph_off():
    page = hours.hours_of("Mo-Sa 09:00-12:00; PH off", "67", CHRISTMAS_EVE)
    assert next(d for d in page.days if d.date == datetime.date(2026, 12, 26)).text == "Fermé"


def test_the_place_page_says_when_holidays_are_not_stated(client):
    silent, stated = PlaceFactory(opening_hours=NO_RULE), PlaceFactory(opening_hours=PH_OFF)
    assert (
        "Horaires des jours fériés non précisés."
        in client.get(reverse("places:detail", args=[silent.pk])).content.decode()
    )
    assert (
        "Horaires des jours fériés non précisés."
        not in client.get(reverse("places:detail", args=[stated.pk])).content.decode()
    )


# --- The API ----------------------------------------------------------------------------------------


def test_the_api_carries_the_three_valued_answer():
    silent = Entry.from_place(place_in("67482", opening_hours=NO_RULE))
    out = api.entry_out(silent, None, CHRISTMAS_MORNING)
    assert (out["open_now"], out["open_now_state"]) == (None, "not_stated")
    out = api.entry_out(silent, None, CHRISTMAS_EVE)
    assert (out["open_now"], out["open_now_state"]) == (True, "open")
    closed = Entry.from_place(PlaceFactory(opening_hours=PH_OFF))
    assert api.entry_out(closed, None, CHRISTMAS_MORNING)["open_now_state"] == "closed"


def test_the_api_output_lists_the_state(client):
    PlaceFactory(opening_hours="")
    body = client.get("/api/places").json()
    assert body["results"][0]["open_now_state"] is None
    assert "open_now" in body["results"][0]


def test_the_list_says_how_many_places_a_holiday_filter_left_out_and_offers_them(client):
    PlaceFactory.create_batch(2, opening_hours=NO_RULE)
    PlaceFactory(opening_hours=PH_OFF)
    outcome = run(where="Cantal", open_on="2026-12-25")
    assert outcome.count == 0
    assert outcome.left_out_holiday == (
        "2 lieux dont les horaires ne disent pas s'ils ouvrent le vendredi 25 décembre 2026, jour férié, "
        "ne sont pas listés."
    )
    assert run(where="Cantal", open_on="2026-12-25", include_unstated_holidays=1).left_out_holiday == ""
    assert run(where="Cantal", open_on="2026-12-24").left_out_holiday == ""
    assert run(at=CHRISTMAS_MORNING, where="Cantal", open_now=1).left_out_holiday.startswith("2 lieux")
    html = client.get(reverse("places:list"), {"where": "Cantal", "open_on": "2026-12-25"}).content.decode()
    assert "jour férié, ne sont pas listés." in html
    assert "include_unstated_holidays=1" in html
