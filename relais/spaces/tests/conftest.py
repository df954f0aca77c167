import datetime
import zoneinfo

import pytest

from relais.accounts.models import PlaceRole
from relais.core.errors import DomainError
from relais.privacy.audit import Actor
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, assert_french

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# A Monday morning before the place opens: the tests book from here on.
NOW = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=PARIS)


def paris(*args):
    return datetime.datetime(*args, tzinfo=PARIS)


def refusal(code, call, *args, **kwargs):
    """The DomainError `call` raises, checked to carry `code` and a French message."""
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    assert info.value.code == code, info.value.message
    assert_french(info.value.message)
    return info.value


@pytest.fixture
def place(db):
    return PlaceFactory(opening_hours="Mo-Fr 09:00-12:00,14:00-18:00; PH off")


@pytest.fixture
def manager(place):
    user = UserFactory(first_name="Gérante", last_name="Dulieu")
    PlaceRole.objects.create(user=user, place=place, role=PlaceRole.Role.MANAGER)
    return user


@pytest.fixture
def member(db):
    return UserFactory(first_name="Camille", last_name="Martin")


@pytest.fixture
def staff_actor(manager):
    return Actor(user=manager)


@pytest.fixture
def member_actor(member):
    return Actor(user=member)


@pytest.fixture
def room(place):
    return ResourceFactory(place=place, name="Salle Cantal")


@pytest.fixture
def pool(place):
    return ResourceFactory(place=place, pool=True, name="Open space", capacity=3)


@pytest.fixture
def frozen_clock(monkeypatch):
    """`timezone.now()` is NOW."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "now", lambda: NOW.astimezone(datetime.UTC))
