"""The history of a place reads as words, never as the codes stored (SE_PRESENTER, PAYANT, open, yes)."""

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags

from relais.places import services
from relais.places.models import Accessibility, PlaceStatus
from relais.privacy.audit import Actor
from relais.testing import PlaceFactory, UserFactory

pytestmark = pytest.mark.django_db

CODES = ["SE_PRESENTER", "TELEPHONER", "PAYANT", "GRATUIT", "closed", "open", "yes"]
# In English the labels of the status are the words its codes are made of ("open", "permanently closed").
STATUS_LABELS = {
    "fr": "statut avant : ouvert →, après : fermé définitivement",
    "en": "status before: open →, after: permanently closed",
}


@pytest.fixture(autouse=True)
def _restore_active_language():
    # LocaleMiddleware leaves the request's language active in the thread (see core/tests/test_i18n.py).
    with translation.override(translation.get_language()):
        yield


def latest_event(client, place, **headers):
    response = client.get(reverse("places:history", args=[place.pk]), headers=headers)
    assert response.status_code == 200
    history = response.content.decode().split('<ol class="place-history"', 1)[1].split("</ol>", 1)[0]
    return " ".join(strip_tags(history.split('<li class="event">')[1]).split())


@pytest.fixture
def changed_place():
    manager = UserFactory(username="camille")
    place = PlaceFactory(name="La Grange", managers=[manager], access_modes=["TELEPHONER"])
    services.update_place(
        place,
        {
            "access_modes": ["SE_PRESENTER", "TELEPHONER"],
            "fees": ["GRATUIT", "PAYANT"],
            "status": PlaceStatus.CLOSED,
            "wheelchair": Accessibility.YES,
        },
        Actor(user=manager),
    )
    return place, manager


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_values_are_labels_in_both_languages(client, changed_place, language):
    place, manager = changed_place
    client.force_login(manager)

    text = latest_event(client, place, **{"accept-language": language})

    assert "Se présenter, Téléphoner" in text  # the national schema's vocabulary, in its own words
    assert "Gratuit, Payant" in text
    assert STATUS_LABELS[language] in text
    words = set(text.replace(STATUS_LABELS[language], "").replace(",", " ").split())
    assert [code for code in CODES if code in words] == [], text
