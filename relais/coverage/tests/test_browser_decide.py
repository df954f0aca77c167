"""Issue 11 §4 in a real browser: the candidate conditions, the downloads and the typology table fit a 360 px
screen and pass axe; a download is a file, from the analysis shown."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from relais.territory.models import Commune
from relais.testing import PlaceFactory, axe_violations

pytestmark = pytest.mark.browser

WIDTH = 360


def _overflowing(page):
    return page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => !e.closest('.map'))"
        f".filter(e => e.getBoundingClientRect().right > {WIDTH + 1})"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.getBoundingClientRect().right)"
    )


def test_the_page_for_those_who_decide_fits_a_phone(live_server, browser_page):
    for code in ("15014", "15187"):
        commune = Commune.objects.get(code_insee=code)
        PlaceFactory(
            commune=commune, latitude=commune.latitude, longitude=commune.longitude, typologies=["FABLAB"]
        )
    page = browser_page
    page.set_viewport_size({"width": WIDTH, "height": 740})
    page.goto(live_server.url + "/maillage/")
    page.get_by_label("Territoire").select_option("dep:15")
    page.get_by_label("Nouveaux lieux à placer").fill("3")
    page.get_by_label("Population minimale de la commune").fill("500")
    page.get_by_label("Seulement ces communes").fill("Murat\nMauriac, Pleaux, Riom-ès-Montagnes")
    page.get_by_role("button", name="Analyser").click()

    expect(page.get_by_role("heading", name="Où ouvrir de nouveaux lieux")).to_be_visible()
    expect(
        page.get_by_text("4 communes candidates (au moins 500 habitants ; parmi les 4 communes")
    ).to_be_visible()
    expect(page.get_by_text("peu de lieux de ce type sont typés dans le registre")).to_be_visible()
    expect(page.get_by_label("Seulement ces communes")).to_have_value(
        "Murat\nMauriac\nPleaux\nRiom-ès-Montagnes"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTH, _overflowing(page)
    assert axe_violations(page) == []

    with page.expect_download() as download:
        page.get_by_role("link", name="CSV des sites recommandés").click()
    path = download.value.path()
    assert download.value.suggested_filename == "maillage-dep-15-recommended.csv"
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 3
    assert all(line.split(";")[1] in {"15138", "15120", "15153", "15162"} for line in lines[1:])
    assert page.errors == []
