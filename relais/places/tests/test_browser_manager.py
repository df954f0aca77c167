"""In a real browser, a manager fixes the opening hours of their place and sees the change in its history."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from relais.testing import PlaceFactory, UserFactory, give_second_factor

pytestmark = pytest.mark.browser


def test_a_manager_corrects_the_opening_hours_of_their_place(live_server, browser_page):
    manager = UserFactory(username="camille")
    place = PlaceFactory(name="La Grange", managers=[manager], opening_hours="Mo-Fr 09:00-17:00")
    page = browser_page

    # Logging in leads to "Mon espace".
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Identifiant").fill("camille")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    give_second_factor(page, manager)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")

    page.get_by_role("link", name="Modifier La Grange").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Modifier « La Grange »")
    hours = page.get_by_label("Horaires d'ouverture")
    expect(hours).to_have_value("Mo-Fr 09:00-17:00")

    # A malformed value: the error is shown in French next to the field, and nothing is saved.
    hours.fill("Mo-Fr 25:00-26:00")
    page.get_by_role("button", name="Enregistrer").click()
    field_error = page.locator("#id_opening_hours_error")
    expect(field_error).to_contain_text("horaires invalides « Mo-Fr 25:00-26:00 »")
    expect(page.locator(".field", has=page.locator("#id_opening_hours"))).to_contain_text(
        "horaires invalides"
    )
    expect(page.get_by_role("alert")).to_contain_text("Le formulaire contient des erreurs")
    place.refresh_from_db()
    assert place.opening_hours == "Mo-Fr 09:00-17:00"

    # A valid value is saved and the place's page shows it.
    expect(hours).to_have_value("Mo-Fr 25:00-26:00")
    hours.fill("Tu-Sa 10:00-18:00")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page).to_have_url(live_server.url + reverse("places:detail", args=[place.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text("La Grange")
    expect(page.get_by_text("Les modifications du lieu ont été enregistrées.")).to_be_visible()
    expect(page.locator("code")).to_have_text("Tu-Sa 10:00-18:00")

    # The history tells who changed what, from what to what.
    page.get_by_role("link", name="Historique des modifications").click()
    row = page.locator("li.event").first
    expect(row).to_contain_text("camille")
    expect(row.locator("del")).to_have_text("Mo-Fr 09:00-17:00")
    expect(row.locator("ins")).to_have_text("Tu-Sa 10:00-18:00")

    # Every page of the journey was served by the app alone: no request to any other host.
    assert page.requested_urls
    foreign = [u for u in page.requested_urls if not u.startswith(live_server.url + "/")]
    assert foreign == []
