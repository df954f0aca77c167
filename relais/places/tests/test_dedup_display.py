"""The duplicate queue's words: hours as a week, phones in national form, the merge message truthful and
in French (fields by their French names, never their code)."""

import pytest
from django.urls import reverse

from relais.places import dedup
from relais.places.dedup_display import compared_rows, hours_lines, merge_message
from relais.places.models import Place
from relais.privacy.audit import SYSTEM
from relais.testing import PlaceFactory, UserFactory, assert_french

pytestmark = pytest.mark.django_db


def test_hours_read_as_a_week_with_days_of_the_same_hours_together():
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00; PH off")
    assert hours_lines(place) == [
        "Du lundi au vendredi : 9 h 00 – 12 h 00, 14 h 00 – 17 h 00",
        "Samedi : 9 h 00 – 12 h 00",
        "Dimanche : Fermé",
    ]
    place.opening_hours = "Mo,We 10:00-12:00"
    assert hours_lines(place) == [
        "Lundi : 10 h 00 – 12 h 00",
        "Mardi : Fermé",
        "Mercredi : 10 h 00 – 12 h 00",
        "Du jeudi au dimanche : Fermé",
    ]


def test_unreadable_hours_are_shown_as_they_are_stored():
    place = PlaceFactory.build(opening_hours="tous les jours sauf le lundi")
    rows = {r["name"]: r for r in compared_rows(place, place)}
    assert rows["opening_hours"]["a"].lines == ["tous les jours sauf le lundi"]


def test_rows_show_phones_nationally_and_keep_the_stored_values():
    a = PlaceFactory(phone="+33635258559", opening_hours="Mo-Fr 09:00-12:00; PH off")
    b = PlaceFactory(phone="+33635258559", opening_hours="Mo-Fr 09:00-12:00;PH off")
    rows = {r["name"]: r for r in compared_rows(a, b)}
    assert rows["phone"]["a"].lines == ["06 35 25 85 59"] and rows["phone"]["a"].raw == "+33635258559"
    assert not rows["phone"]["differs"]
    assert rows["opening_hours"]["a"].lines == [
        "Du lundi au vendredi : 9 h 00 – 12 h 00",
        "Samedi et dimanche : Fermé",
    ]
    assert rows["opening_hours"]["a"].raw == "Mo-Fr 09:00-12:00; PH off"
    assert rows["opening_hours"]["differs"]  # the stored expressions differ: the admin sees both
    assert rows["name"]["differs"]


def pair(**b_fields):
    a = PlaceFactory(name="Centre social Les Tilleuls", source="X", phone="+33471000000")
    b = PlaceFactory(name="Centre social et culturel Les Tilleuls", source="Y", phone="", **b_fields)
    result = dedup.find_duplicates(Place.objects.filter(pk__in=[a.pk, b.pk]))
    found = (result.sure + result.unsure)[0]
    return dedup.queue(a, b, found.score, found.reasons), a, b


def test_the_merge_message_says_the_name_kept_and_where_it_comes_from_in_french():
    candidate, a, b = pair()
    result = dedup.decide_merge(candidate, b, SYSTEM)  # B kept: its data is merged field by field
    text = merge_message(result)
    name = result.place.name
    other = a.name if name == b.name else b.name
    assert text == (
        f"Fusion faite : les deux fiches sont réunies en une, nommée « {name} » (nom donné par la liste "
        f"« {result.provenance['name'].source} », plutôt que « {other} »). Chaque champ garde la donnée "
        "confirmée le plus récemment."
    )
    assert_french(text)


def test_the_merge_message_names_each_conflicting_field_by_its_french_name():
    candidate, a, b = pair(address="3 rue des Écoles", opening_hours="Mo-Sa 08:00-12:00")
    result = dedup.decide_merge(candidate, a, SYSTEM)
    text = merge_message(result)
    source = result.provenance["address"].source
    assert f"Adresse : « {result.place.address} » (de la liste « {source} »)" in text
    assert "Horaires d'ouverture : « Du lundi au vendredi : " in text
    for code in ("address", "opening_hours", "latitude", "Mo-", "Valeurs en conflit"):
        assert code not in text
    assert_french(text)


def test_the_page_message_after_a_merge_is_the_truthful_one(client):
    candidate, a, b = pair()
    client.force_login(UserFactory(network_admin=True))
    response = client.post(
        reverse("places:duplicate-decide", args=[candidate.public_id]),
        {"decision": "merge", "keep": str(b.pk)},
        follow=True,
    )
    (message,) = [str(m) for m in response.context["messages"]]
    assert message.startswith("Fusion faite : les deux fiches sont réunies en une, nommée « ")
    assert "Valeurs en conflit" not in message
