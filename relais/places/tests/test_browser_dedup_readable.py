"""The duplicate queue as a network admin reads it on a phone (360 px) and a laptop (1280 px): records
with long e-mail addresses and web addresses still fit the screen, each field's two values stacked on the
phone; hours read as the place page writes them and phones in their national form, the stored values
one click away; after a merge the message says truthfully what was kept, in French words."""

import pytest
from playwright.sync_api import expect

from relais.places import dedup
from relais.places.models import Place
from relais.spaces.tests.browsing import checked, fits, log_in, sized
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.browser

LONG_EMAIL = "accueil.numerique.et.mediation.sociale@centre-social-intercommunal-des-tilleuls.example.org"


def long_pair():
    a = PlaceFactory(
        name="Centre social Les Tilleuls",
        source="X",
        phone="+33635258559",
        emails=[LONG_EMAIL],
        websites=["https://www.centre-social-intercommunal-des-tilleuls.example.org/mediation-numerique/"],
        opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; PH off",
    )
    b = PlaceFactory(
        name="Centre social et culturel Les Tilleuls",
        source="Y",
        phone="",
        emails=["contact@tilleuls.example.org"],
        opening_hours="Mo-Sa 08:30-12:30; PH off",
    )
    result = dedup.find_duplicates(Place.objects.filter(pk__in=[a.pk, b.pk]))
    pair = (result.sure + result.unsure)[0]
    return dedup.queue(a, b, pair.score, pair.reasons)


def test_the_pairs_fit_a_phone_and_a_laptop_with_readable_hours_and_phones(
    live_server, browser_page, transactional_db
):
    candidate = long_pair()
    UserFactory(username="reseau", network_admin=True)
    page = sized(browser_page)
    log_in(page, live_server, "reseau")
    page.goto(f"{live_server.url}/lieux/doublons/")
    pair = page.locator(f"section[aria-labelledby='pair-{candidate.pk}']")
    expect(pair).to_contain_text(LONG_EMAIL)
    checked(page)
    # On the phone each value is labelled with its record, one above the other.
    hours = pair.locator("tr", has=page.get_by_role("rowheader", name="Horaires"))
    a_box, b_box = (hours.locator("td").nth(i).bounding_box() for i in (0, 1))
    assert b_box["y"] >= a_box["y"] + a_box["height"] - 1, (a_box, b_box)
    expect(hours.locator("td").nth(0).get_by_text("Lieu A")).to_be_visible()
    # The pair's order is the queue's (by identifier): find the long record's side.
    long_side = 0 if candidate.place_a.emails == [LONG_EMAIL] else 1
    expect(hours.locator("td").nth(long_side)).to_contain_text(
        "Du lundi au vendredi : 9 h 00 – 12 h 00, 14 h 00 – 17 h 00"
    )
    expect(hours.locator("td").nth(long_side)).to_contain_text("Samedi et dimanche : Fermé")
    expect(hours.locator("td").nth(1 - long_side)).to_contain_text("Du lundi au samedi : 8 h 30 – 12 h 30")
    raw = hours.get_by_text("Mo-Fr 09:00-12:00,14:00-17:00; PH off")
    expect(raw).to_be_hidden()  # the stored expression stays folded away, one click away
    hours.locator("td").nth(long_side).get_by_text("Valeur enregistrée").click()
    expect(raw).to_be_visible()
    phone = pair.locator("tr", has=page.get_by_role("rowheader", name="Téléphone"))
    expect(phone.locator("td").nth(long_side)).to_contain_text("06 35 25 85 59")

    sized(page, 1280, 800)
    page.reload()
    assert fits(page, 1280)
    # Side by side on a laptop: the two values of a field on one line.
    hours = page.locator("tr", has=page.get_by_role("rowheader", name="Horaires"))
    a_box, b_box = (hours.locator("td").nth(i).bounding_box() for i in (0, 1))
    assert abs(a_box["y"] - b_box["y"]) < 1 and b_box["x"] > a_box["x"]
    expect(hours.locator("td").nth(0).get_by_text("Lieu A")).to_be_hidden()  # the column says it
    assert page.errors == []


def test_the_merge_message_names_the_fields_in_french_and_what_was_kept(
    live_server, browser_page, transactional_db
):
    candidate = long_pair()
    UserFactory(username="reseau", network_admin=True)
    page = sized(browser_page)
    log_in(page, live_server, "reseau")
    page.goto(f"{live_server.url}/lieux/doublons/")
    pair = page.locator(f"section[aria-labelledby='pair-{candidate.pk}']")
    pair.get_by_label(f"Lieu B : {candidate.place_b.name}").check()
    pair.get_by_role("button", name="Fusionner").click()
    status = page.get_by_role("status")
    kept = Place.objects.get()
    assert kept.pk == candidate.place_b_id
    expect(status).to_contain_text(f"les deux fiches sont réunies en une, nommée « {kept.name} »")
    expect(status).to_contain_text(
        "Valeurs retenues là où les fiches différaient : Horaires d'ouverture : « Du lundi"
    )
    expect(status).not_to_contain_text("opening_hours")
    expect(status).not_to_contain_text("est gardé")
    checked(page)
