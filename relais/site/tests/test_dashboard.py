"""The personal space « Mon espace » (/comptes/, relais/site/dashboard.py): the places one manages, as cards
for a manager of a few, as a search and a paginated list for a network admin."""

import pytest
from django.urls import reverse

from relais.accounts.models import PlaceRole
from relais.site.dashboard import PAGE_SIZE
from relais.testing import PlaceFactory, UserFactory, place_in

pytestmark = pytest.mark.django_db

URL = reverse("accounts:dashboard")


def test_anonymous_people_are_sent_to_the_login_page(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={URL}"


def test_a_manager_sees_the_places_they_manage_with_edit_and_history_links(client):
    manager = UserFactory()
    mine = PlaceFactory(name="Mon lieu", managers=[manager])
    PlaceFactory(name="Le lieu d'un autre", managers=[UserFactory()])
    staffed = PlaceFactory(name="Lieu où je suis de l'équipe")
    PlaceRole.objects.create(user=manager, place=staffed, role=PlaceRole.Role.STAFF)
    client.force_login(manager)

    response = client.get(URL)

    assert [p.name for p in response.context["places"]] == ["Mon lieu"]
    html = response.content.decode()
    assert reverse("places:edit", args=[mine.pk]) in html
    assert reverse("places:history", args=[mine.pk]) in html
    assert reverse("accounts:tokens") in html


def test_someone_who_manages_nothing_is_told_so(client):
    client.force_login(UserFactory())

    assert "Vous ne gérez aucun lieu pour l'instant." in client.get(URL).content.decode().replace(
        "&#x27;", "'"
    )


def test_a_network_admin_sees_every_place(client):
    PlaceFactory(name="Lieu A", managers=[UserFactory()])
    PlaceFactory(name="Lieu B")
    client.force_login(UserFactory(network_admin=True))

    response = client.get(URL)

    assert [p.name for p in response.context["places"]] == ["Lieu A", "Lieu B"]
    assert "administrateur du réseau" in response.content.decode()


# --- A network admin may edit thousands of places: a search and a short list, page by page ---------------


def text_of(response):
    return response.content.decode().replace("&#x27;", "'")


def test_a_network_admin_gets_a_page_of_20_places_and_the_links_to_the_others(client):
    for n in range(45):
        PlaceFactory(name=f"Lieu {n:02d}")
    client.force_login(UserFactory(network_admin=True))

    response = client.get(URL)

    assert PAGE_SIZE == 20
    assert [p.name for p in response.context["places"]] == [f"Lieu {n:02d}" for n in range(20)]
    html = text_of(response)
    assert 'role="search"' in html and 'name="q"' in html
    assert "45 lieux au total." in html
    assert "Lieux 1 à 20, par nom." in html
    assert 'aria-label="Pages de la liste des lieux"' in html
    assert "Page 1 sur 3" in html
    assert 'href="?page=2#mes-lieux" rel="next"' in html
    assert 'rel="prev"' not in html
    assert "Complétude des données" not in html  # no cards
    assert reverse("places:edit", args=[response.context["places"][0].pk]) in html

    last = client.get(URL, {"page": 3})

    assert [p.name for p in last.context["places"]] == [f"Lieu {n:02d}" for n in range(40, 45)]
    html = text_of(last)
    assert "Page 3 sur 3" in html and "Lieux 41 à 45, par nom." in html
    assert 'href="?page=2#mes-lieux" rel="prev"' in html and 'rel="next"' not in html
    # A page that does not exist shows the nearest one, not an error.
    assert client.get(URL, {"page": "99"}).context["page"].number == 3
    assert client.get(URL, {"page": "abc"}).context["page"].number == 1


def test_the_search_filters_by_name_or_commune_and_keeps_the_words_in_the_page_links(client):
    for n in range(25):
        place_in("57463", name=f"Atelier {n:02d}")  # Metz
    PlaceFactory(name="Le Fablab du Cantal")  # Aurillac
    PlaceFactory(name="La Grange")
    client.force_login(UserFactory(network_admin=True))

    by_name = client.get(URL, {"q": "fablab"})

    assert [p.name for p in by_name.context["places"]] == ["Le Fablab du Cantal"]
    html = text_of(by_name)
    assert 'value="fablab"' in html
    assert "1 lieu correspond à « fablab », sur 27." in html
    assert f'href="{URL}#mes-lieux">Voir tous les lieux' in html
    assert 'class="pagination"' not in html

    by_commune = client.get(URL, {"q": "metz"})

    assert by_commune.context["page"].paginator.count == 25
    assert len(by_commune.context["places"]) == 20
    html = text_of(by_commune)
    assert "25 lieux correspondent à « metz », sur 27." in html
    assert 'href="?q=metz&amp;page=2#mes-lieux" rel="next"' in html
    assert [p.name for p in client.get(URL, {"q": "metz", "page": 2}).context["places"]] == [
        f"Atelier {n:02d}" for n in range(20, 25)
    ]
    # Accents, case and word order do not matter; every word must match.
    assert [p.name for p in client.get(URL, {"q": "AURILLAC grange"}).context["places"]] == ["La Grange"]

    nothing = client.get(URL, {"q": "introuvable"})

    assert nothing.context["places"] == []
    html = text_of(nothing)
    assert "Aucun lieu ne correspond à cette recherche : essayez un autre mot." in html
    assert "Vous ne gérez aucun lieu" not in html


def test_a_manager_of_two_places_sees_their_two_cards_and_no_search(client):
    manager = UserFactory()
    PlaceFactory(name="Le Bercail", managers=[manager])
    PlaceFactory(name="La Ruche", managers=[manager])
    PlaceFactory(name="Ailleurs", managers=[UserFactory()])
    client.force_login(manager)

    response = client.get(URL, {"q": "ruche"})  # no search for them: the words are ignored

    assert [p.name for p in response.context["places"]] == ["La Ruche", "Le Bercail"]
    html = text_of(response)
    assert html.count("Complétude des données") == 2
    assert html.count("Je confirme que les données sont à jour") == 2
    assert 'role="search"' not in html and 'class="pagination"' not in html


def test_a_manager_of_more_places_than_a_page_gets_the_search_too(client):
    manager = UserFactory()
    for n in range(PAGE_SIZE + 1):
        PlaceFactory(name=f"Lieu {n:02d}", managers=[manager])
    PlaceFactory(name="Lieu d'un autre", managers=[UserFactory()])
    client.force_login(manager)

    response = client.get(URL)

    assert len(response.context["places"]) == PAGE_SIZE
    html = text_of(response)
    assert 'role="search"' in html and f"{PAGE_SIZE + 1} lieux au total." in html
    assert "Page 1 sur 2" in html
    assert "Lieu d'un autre" not in [p.name for p in client.get(URL, {"page": 2}).context["places"]]
