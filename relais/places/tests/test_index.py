"""The in-memory index of places follows every write to the registry, in this process and others."""

import pytest

from relais.places import index as index_module
from relais.places.models import Place, RegistryVersion
from relais.places.opendata.importer import import_places
from relais.places.search import PlaceQuery, search_places
from relais.places.services import update_place
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db


def names(**query):
    result = search_places(PlaceQuery(**query))
    return [e.name for e in result.page_entries(1, 100)]


def test_a_new_place_is_found_at_once():
    assert names(q="grange") == []
    PlaceFactory(name="La Grange")
    assert names(q="grange") == ["La Grange"]


def test_an_update_through_the_services_is_seen_by_the_next_search():
    place = PlaceFactory(name="Atelier")
    assert names(service="DEMARCHES") == []
    update_place(place, {"services": ["DEMARCHES"], "name": "Atelier partagé"}, SYSTEM)
    assert names(service="DEMARCHES") == ["Atelier partagé"]


def test_a_bulk_import_changes_the_registry_version(tmp_path):
    token = RegistryVersion.current()
    path = tmp_path / "lieux.csv"
    path.write_text(
        "id,pivot,nom,commune,code_postal,code_insee,adresse,date_maj\n"
        "a,00000000000000,Maison des services,Aurillac,15000,15014,1 rue A,2024-01-01\n",
        encoding="utf-8",
    )
    import_places(path, fmt="mednum-csv")
    assert RegistryVersion.current() != token
    assert names(q="maison services") == ["Maison des services"]


def test_a_deleted_place_disappears():
    place = PlaceFactory(name="Éphémère")
    assert names(q="ephemere") == ["Éphémère"]
    place.delete()
    assert names(q="ephemere") == []


def test_another_process_writing_is_noticed_through_the_version_token():
    PlaceFactory(name="Premier")
    built = index_module.place_index()
    # A write that sends no signal (another process, raw SQL): only the token says it happened.
    Place.objects.filter(name="Premier").update(name="Renommé ailleurs", search_text="renomme ailleurs")
    assert index_module.place_index() is built
    RegistryVersion.bump()
    assert index_module.place_index() is not built
    assert names(q="renomme") == ["Renommé ailleurs"]


def test_list_entries_carry_what_the_api_lists():
    PlaceFactory(name="Fablab", typologies=["FABLAB", "COWORKING"], services=["MACHINES_FABLAB"])
    (entry,) = search_places(PlaceQuery(q="fablab")).page_entries(1, 10)
    assert entry.commune_code == "15014"
    assert entry.commune_name == "Aurillac"
    assert entry.department == "15"
    assert entry.typologies == ("COWORKING", "FABLAB")
    assert entry.services == ("MACHINES_FABLAB",)
