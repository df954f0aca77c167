"""Searching the registry: the fast search agrees with a full scan; radii, distances and "open now"."""

import datetime
import random
import uuid
import zoneinfo

import numpy as np
import pytest

from relais.core.errors import DomainError
from relais.core.text import normalize_name
from relais.places import search as search_module
from relais.places.models import Place, PlaceStatus, RegistryVersion, Service
from relais.places.search import MAX_RADIUS_KM, PlaceQuery, is_open, search_places
from relais.places.tests.oracles import naive_search, search_places_db
from relais.territory.geo import EARTH_RADIUS_KM, haversine_km
from relais.territory.models import Commune
from relais.territory.timezones import PARIS
from relais.testing import PlaceFactory

pytestmark = pytest.mark.django_db

PARIS_TZ = zoneinfo.ZoneInfo("Europe/Paris")
UTC = datetime.UTC
SAINT_ETIENNE = (45.43959, 4.38748)
# A Tuesday of March at 10:30 in Paris.
AT = datetime.datetime(2026, 3, 10, 10, 30, tzinfo=PARIS_TZ)
SERVICE_CODES = ["DEMARCHES", "ACCES_INTERNET", "FORMATION", "POSTE_TRAVAIL"]
HOURS = [
    "",
    "Mo-Fr 09:00-12:00,14:00-18:00; PH off",
    "Mo-Fr 08:00-10:00",
    "Tu,Th 10:00-19:00",
    "Sa 10:00-18:00",
    "24/7",
    "Mo-Su 11:00-11:30",
    "horaires affichés sur la porte",  # invalid: never "open now"
]


@pytest.fixture
def random_places():
    """300 places within about 60 km of Saint-Étienne, written with bulk operations (seeded: reproducible)."""
    rng = random.Random(20260310)
    communes = list(Commune.objects.filter(code_insee__in=["42218", "42095", "42186", "43157", "69123"]))
    services = {s.code: s for s in Service.objects.filter(code__in=SERVICE_CODES)}
    places = []
    for number in range(300):
        commune = rng.choice(communes)
        has_position = rng.random() > 0.05
        name = f"Lieu {rng.choice(['du Pilat', 'du Forez', 'de la Loire', 'des Monts'])} {number:03d}"
        places.append(
            Place(
                id=uuid.UUID(int=rng.getrandbits(128)),
                name=name,
                status=rng.choices(list(PlaceStatus.values), weights=[1, 8, 1])[0],
                commune=commune,
                postal_code="",
                latitude=SAINT_ETIENNE[0] + rng.uniform(-0.55, 0.55) if has_position else None,
                longitude=SAINT_ETIENNE[1] + rng.uniform(-0.75, 0.75) if has_position else None,
                opening_hours=rng.choice(HOURS),
                source="test",
                source_id=str(number),
                search_text=normalize_name(f"{name} {commune.name}"),
            )
        )
    Place.objects.bulk_create(places)
    through = Place.services.through
    through.objects.bulk_create(
        through(place_id=place.id, service_id=services[code].id)
        for place in places
        for code in rng.sample(SERVICE_CODES, rng.randint(0, 3))
    )
    RegistryVersion.bump()  # bulk writes send no signal
    return places


# Points around Saint-Étienne and radii from a few km to the largest one (which takes in every place).
QUERIES = [
    {"lat": 45.43959, "lon": 4.38748, "radius_km": 3},
    {"lat": 45.52, "lon": 4.21, "radius_km": 15},
    {"lat": 45.30, "lon": 4.60, "radius_km": 25},
    {"lat": 45.75, "lon": 4.85, "radius_km": 40},
    {"lat": 45.10, "lon": 3.90, "radius_km": 60},
    {"lat": 45.43959, "lon": 4.38748, "radius_km": MAX_RADIUS_KM},
]


def _assert_same_as_full_scan(**params):
    fast, slow = search_places(PlaceQuery(**params)), naive_search(PlaceQuery(**params))
    assert fast.ids == slow, params
    assert fast.count == len(slow)
    # The ORM version of the search agrees too (same places; order may differ only between equal distances).
    through_db = search_places_db(PlaceQuery(**params))
    assert set(through_db.ids) == set(slow), params
    assert through_db.distances == fast.distances, params
    return fast


def test_point_searches_find_the_places_a_full_scan_finds_in_the_same_order(random_places):
    counts = [_assert_same_as_full_scan(**params).count for params in QUERIES]
    # The comparison means something only if the queries find few, some and many places.
    assert min(counts) < 10 and max(counts) > 250 and any(10 < n < 100 for n in counts), counts


@pytest.mark.parametrize(
    ("service", "params"), list(zip(SERVICE_CODES, QUERIES[2:], strict=True)), ids=SERVICE_CODES
)
def test_point_searches_filtered_by_service_agree_with_a_full_scan(random_places, service, params):
    assert _assert_same_as_full_scan(**params, service=service).count > 0


def test_open_now_searches_agree_with_a_full_scan(random_places):
    everywhere = QUERIES[-1]
    open_places = _assert_same_as_full_scan(**everywhere, open_now=True, at=AT)
    assert 0 < open_places.count < search_places(PlaceQuery(**everywhere)).count
    _assert_same_as_full_scan(**QUERIES[3], open_now=True, at=AT)
    _assert_same_as_full_scan(
        **everywhere, open_now=True, at=AT.replace(hour=11, minute=15), service="DEMARCHES"
    )


def test_searches_including_closed_places_agree_with_a_full_scan(random_places):
    everywhere = QUERIES[-1]
    with_closed = _assert_same_as_full_scan(**everywhere, include_closed=True)
    assert with_closed.count > search_places(PlaceQuery(**everywhere)).count


def test_a_search_without_a_point_finds_every_visible_place(random_places):
    result = search_places(PlaceQuery())
    assert set(result.ids) == set(naive_search(PlaceQuery()))
    assert set(result.ids) == {p.id for p in random_places if p.status != PlaceStatus.CLOSED}
    assert result.distances == {}


def test_a_search_without_a_point_filtered_by_service_and_open_now(random_places):
    query = {"service": "FORMATION", "open_now": True, "at": AT}
    found = search_places(PlaceQuery(**query)).ids
    assert found
    assert set(found) == set(naive_search(PlaceQuery(**query)))


def test_point_search_results_are_nearest_first_with_their_distance(random_places):
    lat, lon = SAINT_ETIENNE
    result = search_places(PlaceQuery(lat=lat, lon=lon, radius_km=30))
    by_id = {p.id: p for p in random_places}
    distances = [result.distances[i] for i in result.ids]
    assert distances == sorted(distances)
    assert len(distances) > 20
    for place_id, distance in result.distances.items():
        place = by_id[place_id]
        assert distance == pytest.approx(
            float(haversine_km(lat, lon, place.latitude, place.longitude)), abs=1e-3
        )
        assert distance <= 30


def _ring(lat, lon, distance_km, count=72):
    """`count` points at `distance_km` from (lat, lon), all around it (great-circle destination formula)."""
    phi, lam, delta = np.radians(lat), np.radians(lon), distance_km / EARTH_RADIUS_KM
    theta = np.radians(np.arange(count) * 360 / count)
    phi2 = np.arcsin(np.sin(phi) * np.cos(delta) + np.cos(phi) * np.sin(delta) * np.cos(theta))
    lam2 = lam + np.arctan2(
        np.sin(theta) * np.sin(delta) * np.cos(phi), np.cos(delta) - np.sin(phi) * np.sin(phi2)
    )
    return np.degrees(phi2).tolist(), np.degrees(lam2).tolist()


@pytest.mark.parametrize("radius_km", [2, 25, MAX_RADIUS_KM])
def test_places_just_inside_the_radius_are_found_in_every_direction(radius_km):
    commune = Commune.objects.get(code_insee="42218")
    places = []
    for kind, distance in (("inside", radius_km * (1 - 1e-6)), ("outside", radius_km * (1 + 1e-6))):
        for n, (lat, lon) in enumerate(zip(*_ring(*SAINT_ETIENNE, distance), strict=True)):
            places.append(
                Place(
                    name=f"{kind} {n}", commune=commune, latitude=lat, longitude=lon, source_id=f"{kind}-{n}"
                )
            )
    Place.objects.bulk_create(places)
    RegistryVersion.bump()  # bulk writes send no signal
    result = search_places(PlaceQuery(lat=SAINT_ETIENNE[0], lon=SAINT_ETIENNE[1], radius_km=radius_km))
    assert sorted(Place.objects.filter(pk__in=result.ids).values_list("name", flat=True)) == sorted(
        p.name for p in places if p.name.startswith("inside")
    )


def test_a_point_search_uses_a_ten_km_radius_by_default():
    lat, lon = SAINT_ETIENNE
    near = PlaceFactory(latitude=lat + 9 / 111.2, longitude=lon)  # about 9 km north
    PlaceFactory(latitude=lat + 11 / 111.2, longitude=lon)  # about 11 km north
    assert search_places(PlaceQuery(lat=lat, lon=lon)).ids == [near.pk]


def test_a_place_exactly_at_the_point_is_at_distance_zero():
    place = PlaceFactory(latitude=SAINT_ETIENNE[0], longitude=SAINT_ETIENNE[1])
    result = search_places(PlaceQuery(lat=SAINT_ETIENNE[0], lon=SAINT_ETIENNE[1], radius_km=1))
    assert result.distances == {place.pk: 0.0}


# --- Validation ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"lat": 45.0, "lon": 4.0, "radius_km": 0},
            "radius_km",
            "le rayon doit être compris entre 0 et 200 km (reçu : 0).",
        ),
        (
            {"lat": 45.0, "lon": 4.0, "radius_km": 250},
            "radius_km",
            "le rayon doit être compris entre 0 et 200 km (reçu : 250).",
        ),
        (
            {"lat": 45.0, "lon": 4.0, "radius_km": -5},
            "radius_km",
            "le rayon doit être compris entre 0 et 200 km (reçu : -5).",
        ),
        ({"radius_km": 10}, "radius_km", "radius_km demande un point (lat et lon)."),
        ({"lat": 45.0}, "lat", "lat et lon vont ensemble : renseignez les deux."),
        ({"lon": 4.0}, "lat", "lat et lon vont ensemble : renseignez les deux."),
        ({"lat": 95.0, "lon": 4.0}, "lat", "latitude 95.0 hors de [-90, 90]."),
        ({"lat": 45.0, "lon": 200.0}, "lon", "longitude 200.0 hors de [-180, 180]."),
    ],
    ids=["zero", "too-large", "negative", "without-point", "lat-only", "lon-only", "bad-lat", "bad-lon"],
)
def test_invalid_points_and_radii_are_refused_in_french(params, field, message):
    with pytest.raises(DomainError) as caught:
        search_places(PlaceQuery(**params))
    assert (caught.value.field, caught.value.message) == (field, message)


def test_the_largest_radius_is_accepted():
    assert search_places(PlaceQuery(lat=45.0, lon=4.0, radius_km=MAX_RADIUS_KM)).count == 0


# --- Open now: wall-clock time in Paris, public holidays ---------------------------------------------------


def _open_ids(at):
    return search_places(PlaceQuery(open_now=True, at=at)).ids


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        # 29 March 2026: clocks go from 02:00 to 03:00; 07:30 UTC is 09:30 in Paris (08:30 the day before).
        (datetime.datetime(2026, 3, 29, 7, 30, tzinfo=UTC), True),
        (datetime.datetime(2026, 3, 29, 6, 30, tzinfo=UTC), False),
        (datetime.datetime(2026, 3, 29, 9, 30, tzinfo=PARIS_TZ), True),
        # 25 October 2026: clocks go back from 03:00 to 02:00; 10:30 UTC is 11:30 in Paris (12:30 before).
        (datetime.datetime(2026, 10, 25, 10, 30, tzinfo=UTC), True),
        (datetime.datetime(2026, 10, 25, 11, 30, tzinfo=UTC), False),
        (datetime.datetime(2026, 10, 25, 11, 30, tzinfo=PARIS_TZ), True),
    ],
    ids=[
        "spring-0930",
        "spring-0830",
        "spring-paris-0930",
        "autumn-1130",
        "autumn-1230",
        "autumn-paris-1130",
    ],
)
def test_open_now_on_a_clock_change_day_follows_paris_wall_clock_time(at, expected):
    place = PlaceFactory(opening_hours="Su 09:00-12:00")
    assert _open_ids(at) == ([place.pk] if expected else [])


def test_open_now_at_a_time_skipped_by_the_clock_change_reads_it_as_the_time_after():
    place = PlaceFactory(opening_hours="Su 03:00-04:00")
    # 02:30 does not exist in Paris on 29 March 2026: it is 03:30 summer time.
    assert _open_ids(datetime.datetime(2026, 3, 29, 2, 30, tzinfo=PARIS_TZ)) == [place.pk]
    assert _open_ids(datetime.datetime(2026, 3, 29, 2, 30)) == [place.pk]  # naive: Paris wall-clock time


def test_open_now_accepts_a_time_in_another_zone():
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-12:00")
    new_york = zoneinfo.ZoneInfo("America/New_York")
    # Tuesday 10 March 2026, 05:30 in New York (daylight time since 8 March) is 10:30 in Paris.
    assert _open_ids(datetime.datetime(2026, 3, 10, 5, 30, tzinfo=new_york)) == [place.pk]
    assert _open_ids(
        datetime.datetime(2026, 3, 10, 5, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=-4)))
    )


@pytest.mark.parametrize(
    ("day", "holiday"),
    [
        ("2026-12-25", True),  # Christmas, a Friday
        ("2026-07-14", True),  # Bastille Day, a Tuesday
        ("2026-05-14", True),  # Ascension Day, a Thursday
        ("2026-12-24", False),
        ("2026-07-15", False),
    ],
)
def test_a_public_holiday_closes_a_place_with_ph_off(day, holiday):
    with_ph_off = PlaceFactory(opening_hours="Mo-Fr 09:00-18:00; PH off")
    without_rule = PlaceFactory(opening_hours="Mo-Fr 09:00-18:00")
    at = datetime.datetime.fromisoformat(f"{day}T10:00").replace(tzinfo=PARIS_TZ)
    # Hours without a `PH` rule say nothing of a holiday: "not stated", left out unless asked for.
    expected = set() if holiday else {with_ph_off.pk, without_rule.pk}
    assert set(_open_ids(at)) == expected
    asked = search_places(PlaceQuery(open_now=True, at=at, include_unstated_holidays=True)).ids
    assert set(asked) == ({without_rule.pk} if holiday else {with_ph_off.pk, without_rule.pk})


def test_a_place_open_on_public_holidays_only_when_it_says_so():
    place = PlaceFactory(opening_hours="Mo-Fr 09:00-18:00; PH 10:00-12:00")
    christmas = datetime.datetime(2026, 12, 25, 11, 0, tzinfo=PARIS_TZ)
    assert _open_ids(christmas) == [place.pk]
    assert _open_ids(christmas.replace(hour=15)) == []


def test_places_without_or_with_unreadable_hours_are_never_open_now():
    PlaceFactory(opening_hours="")
    PlaceFactory(opening_hours="ouvert le matin")  # written without validation, as old data may be
    assert is_open("", AT) is None
    assert is_open("ouvert le matin", AT) is None
    assert _open_ids(AT) == []


def test_open_now_reads_an_overseas_place_hours_in_its_local_time():
    place = PlaceFactory(
        commune=Commune.objects.get(code_insee="97411"),
        postal_code="97400",
        latitude=-20.87897,
        longitude=55.44863,
        opening_hours="Mo-Fr 08:00-12:00",
    )
    # Tuesday 10 March 2026, 05:00 UTC: 06:00 in Paris, 09:00 in Saint-Denis de La Réunion.
    assert _open_ids(datetime.datetime(2026, 3, 10, 5, 0, tzinfo=UTC)) == [place.pk]


def test_the_at_time_evaluates_like_the_hours_say_for_every_expression():
    # Tuesday 10:30 in Paris: a hand-made truth table of the expressions the random places use.
    expected = {
        "": None,
        "Mo-Fr 09:00-12:00,14:00-18:00; PH off": True,
        "Mo-Fr 08:00-10:00": False,
        "Tu,Th 10:00-19:00": True,
        "Sa 10:00-18:00": False,
        "24/7": True,
        "Mo-Su 11:00-11:30": False,
        "horaires affichés sur la porte": None,
    }
    assert {expression: is_open(expression, AT) for expression in HOURS} == expected
    assert np.count_nonzero([is_open(e, AT.replace(hour=11, minute=15)) for e in HOURS]) == 4


def test_the_api_says_an_overseas_place_is_open_in_its_local_time(client, monkeypatch):
    place = PlaceFactory(
        commune=Commune.objects.get(code_insee="97411"),
        postal_code="97400",
        latitude=-20.87897,
        longitude=55.44863,
        opening_hours="Mo-Fr 08:00-12:00",
    )
    # Tuesday 10 March 2026, 05:00 UTC: 06:00 in Paris, 09:00 in Saint-Denis de La Réunion.
    monkeypatch.setattr(
        "relais.territory.timezones.now_paris",
        lambda: datetime.datetime(2026, 3, 10, 5, 0, tzinfo=UTC).astimezone(PARIS),
    )
    body = client.get(f"/api/places/{place.pk}").json()
    assert body["open_now"] is True


def test_nearest_places_are_the_k_closest_in_order_even_far_away():
    aurillac = Commune.objects.get(code_insee="15014")
    near = PlaceFactory(name="Près", latitude=aurillac.latitude + 0.01, longitude=aurillac.longitude)
    middle = PlaceFactory(name="Moyen", latitude=aurillac.latitude + 0.3, longitude=aurillac.longitude)
    far = PlaceFactory(name="Loin", latitude=aurillac.latitude + 1.0, longitude=aurillac.longitude)
    result = search_module.nearest_places(aurillac.latitude, aurillac.longitude, k=2)
    assert result.ids == [near.pk, middle.pk]
    result = search_module.nearest_places(aurillac.latitude, aurillac.longitude, k=3)
    assert result.ids == [near.pk, middle.pk, far.pk]
    assert result.distances[far.pk] == pytest.approx(111.2, abs=0.5)


def test_nearest_places_refuses_an_absurd_k():
    with pytest.raises(DomainError, match="k doit être compris entre 1 et 100"):
        search_module.nearest_places(45.0, 2.0, k=0)
