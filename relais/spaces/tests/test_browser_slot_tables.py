"""The tables of slots on a phone (360 px) and a laptop (1280 px): the title above a table wraps and is
never cut; a table wider than its box says « faites-le défiler » (and says nothing when it fits); cell
text wraps on words, so that three resources side by side fit a phone; the team's preview of the week fits
a laptop, the preparation time written short with its explanation once under the table."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from relais.accounts.models import PlaceRole
from relais.privacy.audit import Actor
from relais.spaces import services
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

from .browsing import checked, fits, log_in, sized
from .test_views import next_monday

pytestmark = pytest.mark.browser

LONG_NAME = "Salle de réunion du rez-de-chaussée, côté jardin (accessible en fauteuil)"

# Whether the scrolling box of the first table hides some of it; whether a cell's text overflows its cell.
OVERFLOWS = "(box) => box.scrollWidth > box.clientWidth + 1"
CELLS_OVERFLOWING = (
    "(table) => [...table.querySelectorAll('td, th')].filter(c => c.scrollWidth > c.clientWidth + 1)"
    ".map(c => c.textContent.trim())"
)


@pytest.fixture
def place(transactional_db):
    return PlaceFactory(name="La Grange numérique", opening_hours="Mo-Su 09:00-12:00")


def test_the_week_of_a_resource_on_a_phone_has_its_whole_title_and_says_it_scrolls(
    live_server, browser_page, place
):
    room = ResourceFactory(place=place, name=LONG_NAME)
    page = sized(browser_page)
    url = f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/"
    page.goto(f"{url}?vue=semaine&jour={next_monday().isoformat()}&ressource={room.public_id}")
    title = page.locator("#caption-1")
    expect(title).to_have_text(f"{LONG_NAME} : créneaux de la semaine")
    box = title.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box  # wrapped, not cut
    region = page.get_by_role("region", name=f"{LONG_NAME} : créneaux de la semaine")
    expect(page.get_by_role("table", name=f"{LONG_NAME} : créneaux de la semaine")).to_be_visible()
    assert region.evaluate(OVERFLOWS)  # seven days do not fit 360 px…
    expect(page.locator("#hint-1")).to_be_visible()  # …and the page says so
    expect(page.locator("#hint-1")).to_contain_text("faites-le défiler vers la droite")
    assert "overflows-right" in region.get_attribute("class")
    region.evaluate("(box) => { box.scrollLeft = box.scrollWidth; }")
    expect(region).not_to_have_class("slots-wrapper overflows-right")
    checked(page)

    sized(page, 1280, 800)
    page.reload()
    assert not region.evaluate(OVERFLOWS)
    expect(page.locator("#hint-1")).to_be_hidden()  # nothing to scroll: no hint
    assert fits(page, 1280)
    assert page.errors == []


def test_three_resources_of_a_day_fit_a_phone_their_words_whole(live_server, browser_page, place):
    ResourceFactory(place=place, pool=True, name="Open space", capacity=12)
    ResourceFactory(place=place, name="Salle Cantal")
    ResourceFactory(place=place, kind="equipment", name="Ordinateurs portables (lot de 4)", capacity=4)
    page = sized(browser_page)
    page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/disponibilites/?jour={next_monday().isoformat()}")
    table = page.locator("table.slots")
    expect(table).to_contain_text("12 places libres")
    assert not page.locator(".slots-wrapper").evaluate(OVERFLOWS)  # the words wrap: nothing hidden
    assert table.evaluate(CELLS_OVERFLOWING) == []
    cell = table.locator("td", has_text="12 places libres").first
    assert cell.evaluate("(c) => c.getClientRects()[0].height") > 30  # on two lines, between words
    expect(page.locator("#hint-1")).to_be_hidden()
    checked(page)
    assert page.errors == []


def test_the_preview_of_the_week_fits_a_laptop_with_the_preparation_time_short(
    live_server, browser_page, place
):
    manager = UserFactory(username="gerante")
    PlaceRole.objects.create(user=manager, place=place, role=PlaceRole.Role.MANAGER)
    room = ResourceFactory(place=place, name="Salle Cantal", buffer_minutes=30)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    for day in (tomorrow, tomorrow + datetime.timedelta(days=1)):
        start = datetime.datetime.combine(day, datetime.time(9))
        services.book(Actor(user=manager), room, start, start + datetime.timedelta(hours=1), person=manager)
    page = sized(browser_page, 1280, 800)
    log_in(page, live_server, "gerante")
    page.goto(f"{live_server.url}/espaces/lieux/{place.pk}/configuration/ressources/{room.public_id}/")
    preview = page.locator("section[aria-labelledby='apercu']")
    expect(preview.locator("td.slot-buffer").first).to_have_text("préparation")
    expect(preview.locator(".slots-legend")).to_have_text(
        "« préparation » : temps de préparation entre deux réservations, pendant lequel la ressource ne "
        "peut pas être réservée."
    )
    assert not preview.locator(".slots-wrapper").evaluate(OVERFLOWS)
    last = preview.locator("thead th").last.bounding_box()  # the seventh day, in view
    assert last["x"] + last["width"] <= 1280, last
    expect(preview.locator("#hint-apercu")).to_be_hidden()
    checked(page, 1280)
    assert page.errors == []
