"""The review queue of possible duplicates from a phone (360 px): a network admin reaches it from
« Mon espace », reads each pair side by side, merges one keeping the place they choose and keeps another
apart; axe-core checks each page. Nobody else sees the queue."""

import pytest
from playwright.sync_api import expect

from relais.places import dedup
from relais.places.models import DuplicateCandidate, Place
from relais.spaces.tests.browsing import checked, log_in, sized
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.browser


def pending_pair(n):
    a = PlaceFactory(name=f"Centre social Les Tilleuls {n}", source="X", phone="0471000000")
    b = PlaceFactory(name=f"Centre social et culturel Les Tilleuls {n}", source="Y", phone="")
    result = dedup.find_duplicates(Place.objects.filter(pk__in=[a.pk, b.pk]))
    pair = (result.sure + result.unsure)[0]
    return dedup.queue(a, b, pair.score, pair.reasons)


def test_a_network_admin_merges_one_pair_and_keeps_another_apart_from_a_phone(
    live_server, browser_page, transactional_db
):
    first, second = pending_pair(1), pending_pair(2)
    UserFactory(username="reseau", network_admin=True)
    page = sized(browser_page)
    log_in(page, live_server, "reseau")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    page.get_by_role("link", name="Doublons possibles du registre à examiner").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Doublons possibles du registre")
    expect(page.get_by_text("2 paires à examiner.")).to_be_visible()
    pair = page.locator(f"section[aria-labelledby='pair-{first.pk}']")
    expect(pair.locator("tr.differs").first).to_contain_text("(différent)")
    expect(pair).to_contain_text("même commune")
    checked(page)
    # The pair's table and buttons are reachable on a phone: not cut off on the right.
    for name in ("Fusionner", "Ce sont deux lieux distincts"):
        box = pair.get_by_role("button", name=name).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, (name, box)

    # Merge the first pair, keeping place B (the one chosen, not the first shown).
    keep = first.place_b
    pair.get_by_label(f"Lieu B : {keep.name}").check()
    pair.get_by_role("button", name="Fusionner").click()
    expect(page.get_by_role("status")).to_contain_text("Fusion faite : les deux fiches sont réunies en une")
    expect(page.get_by_text("1 paire à examiner.")).to_be_visible()
    assert list(Place.objects.filter(pk__in=[first.place_a_id, keep.pk]).values_list("pk", flat=True)) == [
        keep.pk
    ]
    assert Place.objects.get(pk=keep.pk).phone  # taken from the other place
    checked(page)

    # Keep the second apart: it leaves the queue and is remembered.
    page.locator(f"section[aria-labelledby='pair-{second.pk}']").get_by_role(
        "button", name="Ce sont deux lieux distincts"
    ).click()
    expect(page.get_by_role("status")).to_contain_text(
        "ces deux lieux ne seront plus proposés comme doublons"
    )
    expect(page.get_by_text("Aucun doublon possible à examiner.")).to_be_visible()
    assert DuplicateCandidate.objects.get(pk=second.pk).status == "kept_apart"
    assert Place.objects.filter(pk__in=[second.place_a_id, second.place_b_id]).count() == 2
    page.get_by_role("link", name="Retour à mon espace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mon espace")
    checked(page)
    assert page.errors == []


def test_the_queue_is_a_404_for_a_manager(live_server, browser_page, transactional_db):
    candidate = pending_pair(1)
    manager = UserFactory(username="gerante")
    from relais.accounts.models import PlaceRole

    PlaceRole.objects.create(user=manager, place=candidate.place_a, role=PlaceRole.Role.MANAGER)
    page = sized(browser_page)
    log_in(page, live_server, "gerante")
    expect(page.get_by_role("link", name="Doublons possibles du registre à examiner")).to_have_count(0)
    assert page.goto(f"{live_server.url}/lieux/doublons/").status == 404
    assert DuplicateCandidate.objects.get().status == "pending"
