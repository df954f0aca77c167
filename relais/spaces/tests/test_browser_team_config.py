"""The team configures its place in its own pages, in a real browser at 360 px: from « Mon espace », a
manager creates a resource (durations with units, equipment as a list), gives it a price in euros and a
closure, and sees the preview of the next seven days change; axe-core checks each page."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from relais.accounts.models import PlaceRole
from relais.spaces.enums import Audience, PriceUnit
from relais.spaces.models import Closure, PriceRule, Resource
from relais.testing import PlaceFactory, UserFactory

from .browsing import checked, log_in, sized

pytestmark = pytest.mark.browser


@pytest.fixture
def place(transactional_db):
    # Open every morning: tomorrow is open whatever day the test runs.
    place = PlaceFactory(name="La Grange numérique", opening_hours="Mo-Su 09:00-12:00")
    manager = UserFactory(username="gerante", first_name="Gérante", last_name="Dulieu")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    return place


def preview_column(page, day):
    """The cells of `day` in the preview table (its column among the seven days)."""
    table = page.locator("section[aria-labelledby='apercu'] table.slots")
    headers = table.locator("thead th")
    label = f"{day.day}/{day:%m}"
    for index in range(headers.count()):
        if headers.nth(index).inner_text().strip().endswith(label):
            return table.locator(f"tbody tr td:nth-child({index + 1})")
    raise AssertionError(f"pas de colonne pour le {label} dans l'aperçu")


def test_a_manager_creates_a_resource_with_a_price_and_a_closure_from_mon_espace_at_360_px(
    live_server, browser_page, place
):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    page = sized(browser_page)
    log_in(page, live_server, "gerante")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    checked(page)

    page.get_by_role("link", name="Configurer les réservations : La Grange numérique").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Configuration — La Grange numérique")
    expect(page.locator("#fuseau")).to_contain_text("fuseau horaire de Paris (Europe/Paris)")
    checked(page)
    page.get_by_role("navigation", name="Configuration du lieu").get_by_role(
        "link", name="Ressources et tarifs"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ressources — La Grange numérique")
    checked(page)
    page.get_by_role("link", name="Salle de réunion").click()

    # A new resource: the usual rules of its type, durations typed with their unit.
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouvelle ressource")
    checked(page)
    page.get_by_label(re.compile(r"^Nom\W*$")).fill("Salle Cantal")
    page.get_by_label("Équipements").fill("vidéoprojecteur\n\n  tableau   blanc \n")
    page.get_by_role("spinbutton", name="Durée minimale d'une réservation").fill("1")
    page.get_by_label("unité de « Durée minimale d'une réservation »").select_option(label="heures")
    page.get_by_role("spinbutton", name="Annulation possible jusqu'à").fill("24")
    page.get_by_label("unité de « Annulation possible jusqu'à »").select_option(label="heures")
    page.get_by_role("button", name="Créer la ressource").click()

    expect(page.get_by_role("status")).to_contain_text("Ressource créée : « Salle Cantal ».")
    expect(page.get_by_role("heading", level=1)).to_have_text("Configurer « Salle Cantal »")
    resource = Resource.objects.get(place=place, name="Salle Cantal")
    assert resource.equipment == ["vidéoprojecteur", "tableau blanc"]
    assert (resource.min_duration_minutes, resource.cancellation_deadline_minutes) == (60, 24 * 60)
    # Shown back in the units it was typed in, the list one item per line.
    expect(page.get_by_role("spinbutton", name="Durée minimale d'une réservation")).to_have_value("1")
    expect(page.get_by_label("unité de « Durée minimale d'une réservation »")).to_have_value("heures")
    expect(page.get_by_label("Équipements")).to_have_value("vidéoprojecteur\ntableau blanc")
    # The preview: tomorrow's mornings are free.
    expect(page.locator("#apercu")).to_be_visible()
    tomorrow_cells = preview_column(page, tomorrow)
    expect(tomorrow_cells.first).to_contain_text("libre")
    free_before = tomorrow_cells.filter(has_text="libre").count()
    title = page.locator("#caption-apercu").bounding_box()  # above the scrolling table, whole on a phone
    assert title["x"] >= 0 and title["x"] + title["width"] <= 360, title
    assert free_before >= 2
    checked(page)

    # A price in euros with a decimal comma; a wrong amount first, told next to its field.
    page.get_by_role("link", name="Ajouter un tarif").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Nouveau tarif — Salle Cantal")
    # No « --------- »: the empty choice says what to do.
    expect(page.get_by_label("Unité").locator("option:checked")).to_have_text("choisissez l'unité")
    expect(page.get_by_role("main")).not_to_contain_text("---")
    page.get_by_label("Pour qui").select_option(label="tout le monde")
    page.get_by_label("Unité").select_option(label="à l'heure")
    page.get_by_label("Montant (€)").fill("trois euros")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator("#id_amount_error")).to_contain_text("montant illisible : « trois euros »")
    checked(page)
    page.get_by_label("Montant (€)").fill("3,50")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_contain_text("Tarif enregistré.")
    expect(page.locator("section[aria-labelledby='tarifs']")).to_contain_text("3,50 €")
    rule = PriceRule.objects.get(resource=resource)
    assert (rule.audience, rule.unit, rule.amount_cents) == (Audience.ALL, PriceUnit.HOUR, 350)
    checked(page)

    # A closure of this resource tomorrow, from its own page.
    page.get_by_role("link", name="Ajouter une fermeture de cette ressource").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fermetures — La Grange numérique")
    expect(page.get_by_label("Ce qui est fermé")).to_have_value(str(resource.pk))
    page.get_by_label("Premier jour").fill(tomorrow.isoformat())
    page.get_by_label("Dernier jour").fill(tomorrow.isoformat())
    page.get_by_label("Motif").fill("maintenance")
    checked(page)
    page.get_by_role("button", name="Enregistrer la fermeture").click()
    expect(page.get_by_role("status")).to_contain_text("Fermeture enregistrée.")
    expect(page.locator("section[aria-labelledby='a-venir']")).to_contain_text("Salle Cantal")
    expect(page.locator("section[aria-labelledby='a-venir']")).to_contain_text("maintenance")
    closure = Closure.objects.get(place=place)
    assert closure.resource == resource
    start = closure.start.astimezone(place.timezone)
    assert (start.date(), start.time()) == (tomorrow, datetime.time(0))
    checked(page)

    # Back to the resource: its preview now says tomorrow is closed, and nothing there is bookable.
    page.get_by_role("navigation", name="Configuration du lieu").get_by_role(
        "link", name="Ressources et tarifs"
    ).click()
    page.get_by_role("link", name="Configurer Salle Cantal").click()
    nav = page.get_by_role("navigation", name="Configuration du lieu")
    expect(nav.get_by_role("link", name="Mon espace")).to_have_attribute("href", "/comptes/")
    expect(page.locator("section[aria-labelledby='fermetures']")).to_contain_text("maintenance")
    tomorrow_cells = preview_column(page, tomorrow)
    expect(tomorrow_cells.filter(has_text="libre")).to_have_count(0)
    expect(tomorrow_cells.filter(has_text="fermeture exceptionnelle")).to_have_count(free_before)
    expect(tomorrow_cells.get_by_role("link")).to_have_count(0)
    checked(page)
    assert page.errors == []


def test_the_configuration_of_a_place_is_a_404_for_someone_outside_its_team(live_server, browser_page, place):
    UserFactory(username="camille")
    page = sized(browser_page)
    log_in(page, live_server, "camille")
    expect(page.get_by_role("link", name="Configurer les réservations")).to_have_count(0)
    response = page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/configuration/")
    assert response.status == 404
