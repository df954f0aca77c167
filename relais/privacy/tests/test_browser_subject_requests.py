"""In a real browser, on a 360 px phone, the instance's DPO records an erasure request, simulates the
erasure, reads its report, then erases."""

import re

import pytest
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from relais.spaces.tests.browsing import log_in
from relais.testing import MemberFactory, UserFactory, axe_violations

pytestmark = pytest.mark.browser


def test_the_dpo_records_an_erasure_request_simulates_it_then_erases(live_server, browser_page):
    dpo = UserFactory(username="dpo-reseau")
    dpo.user_permissions.add(Permission.objects.get(codename="search_auditevent"))
    lea = UserFactory(username="lea", email="lea@exemple.fr")
    MemberFactory(user=lea)
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})
    log_in(page, live_server, "dpo-reseau")

    page.goto(live_server.url + "/protection-des-donnees/demandes/")
    page.get_by_role("link", name="Enregistrer une demande").click()
    page.get_by_label("Demande").select_option("erasure")
    page.get_by_label("Reçue par").select_option("email")
    page.get_by_label("Compte ou adhésion de la personne").fill("lea@exemple.fr")
    page.get_by_label("Identité vérifiée").check()
    page.get_by_label("Comment l'identité a été vérifiée").fill("réponse depuis l'adresse du compte")
    page.get_by_role("button", name="Enregistrer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Demande : effacement (art. 17)")
    page.get_by_role("button", name="Simuler l'effacement").click()
    expect(page.get_by_role("heading", name="Simulation de l'effacement")).to_be_visible()
    expect(page.get_by_role("cell", name="adhérent", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    lea.refresh_from_db()
    assert lea.is_active

    page.get_by_role("button", name="Effacer pour de bon").click()
    expect(page.get_by_role("heading", name=re.compile("^Effacement —"))).to_be_visible()
    lea.refresh_from_db()
    assert not lea.is_active and lea.username.startswith("anonyme-")

    page.get_by_role("link", name="Retour aux demandes").click()
    expect(page.get_by_role("link", name="effacement (art. 17)")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
