"""In a real browser, on a 360 px phone, a member downloads their data from « Mon espace »."""

import io
import json
import zipfile

import pytest
from playwright.sync_api import expect

from relais.testing import MemberFactory, UserFactory, axe_violations, give_second_factor

pytestmark = pytest.mark.browser


def test_a_member_downloads_their_data_from_their_space(live_server, browser_page):
    lea = UserFactory(username="lea")
    membership = MemberFactory(user=lea)
    page = browser_page
    page.set_viewport_size({"width": 360, "height": 740})

    page.goto(live_server.url + "/comptes/connexion/")
    page.get_by_label("Identifiant").fill("lea")
    page.get_by_label("Mot de passe").fill("mot de passe de test")
    page.get_by_role("button", name="Se connecter").click()
    give_second_factor(page, lea)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")

    page.get_by_role("link", name="Télécharger mes données").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Télécharger mes données")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe_violations(page) == []
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Télécharger mes données").click()
    download = download_info.value

    assert download.suggested_filename.startswith("mes-donnees-")
    with zipfile.ZipFile(io.BytesIO(download.path().read_bytes())) as archive:
        members = json.loads(archive.read("members.json"))
        assert "resume.html" in archive.namelist()
    assert [r["id"] for r in members["records"]] == [str(membership.public_id)]
