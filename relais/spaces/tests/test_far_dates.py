"""Dates far away (years 1 and 9999, and anything beyond ten years from today) typed in the API, the pages
and the feeds: a clear refusal in French naming the field, never an error of the server."""

import datetime
import json

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relais.privacy.audit import Actor
from relais.spaces import services
from relais.spaces.models import Booking
from relais.testing import assert_french

from .conftest import NOW, paris
from .test_api import bearer, post

pytestmark = pytest.mark.django_db

FAR = ("0001-01-01", "9999-12-31")


@pytest.fixture
def booking(frozen_clock, member, room):
    return services.book(Actor(user=member), room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), now=NOW)


def refused_in_french(response, field):
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["field"] == field
    assert_french(body["detail"])
    assert "trop loin" in body["detail"]
    return body


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["start", "end"])
@pytest.mark.parametrize("day", FAR)
def test_listing_bookings_from_or_to_a_far_date_is_a_400(frozen_clock, client, member, field, day):
    response = client.get("/api/spaces/bookings", {field: day}, headers=bearer(member))
    refused_in_french(response, field)


@pytest.mark.parametrize("day", FAR)
def test_the_availability_of_a_far_date_is_a_400(frozen_clock, client, member, pool, day):
    url = f"/api/spaces/resources/{pool.public_id}/availability"
    refused_in_french(client.get(url, {"start": day}, headers=bearer(member)), "start")


@pytest.mark.parametrize(
    "start,end,field",
    [
        ("0001-01-01T00:00:00", "0001-01-01T01:00:00", "start"),
        ("0001-01-01T00:00:00+01:00", "2026-03-03T10:00:00+01:00", "start"),
        ("2026-03-03T09:00:00+01:00", "9999-12-31T23:59:00", "end"),
        ("9999-12-31T22:00:00-05:00", "9999-12-31T23:00:00-05:00", "start"),
    ],
)
def test_booking_or_moving_to_years_1_or_9999_is_a_400(
    frozen_clock, client, member, room, booking, start, end, field
):
    payload = {"resource": str(room.public_id), "start": start, "end": end}
    refused_in_french(post(client, "/api/spaces/bookings", payload, bearer(member)), field)
    moved = client.patch(
        f"/api/spaces/bookings/{booking.public_id}",
        json.dumps({"start": start, "end": end}),
        content_type="application/json",
        headers=bearer(member),
    )
    refused_in_french(moved, field)
    booking.refresh_from_db()
    assert booking.start == paris(2026, 3, 3, 9, 0)


def test_the_services_refuse_far_dates_before_reading_them(member_actor, room):
    tz = room.place.timezone
    with pytest.raises(services.DomainError) as info:
        services.book(member_actor, room, datetime.datetime(1, 1, 1), datetime.datetime(1, 1, 1, 1), now=NOW)
    assert info.value.field == "start" and info.value.code == "out_of_reach"
    with pytest.raises(services.DomainError) as info:
        services.join_waitlist(
            member_actor, room, paris(2026, 3, 3, 9, 0), datetime.datetime(9999, 12, 31, 23, 59, tzinfo=tz)
        )
    assert info.value.field == "end"


def test_a_series_until_year_9999_is_refused_at_once(member_actor, room):
    with pytest.raises(services.DomainError) as info:
        services.book_series(
            member_actor, room, paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 10, 0), datetime.date(9999, 12, 31)
        )
    assert info.value.field == "until" and "trop loin" in info.value.message
    assert not Booking.objects.exists()


# Any instant a client may write: naive (the place's wall clock) or with an offset, from year 1 to 9999.
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(
    lambda minutes: datetime.timezone(datetime.timedelta(minutes=minutes))
)
MOMENTS = st.one_of(st.datetimes(), st.datetimes(timezones=OFFSETS)).map(lambda moment: moment.isoformat())
DAYS = st.dates().map(lambda day: day.isoformat())


def no_server_error(response, *context):
    assert response.status_code < 500, (*context, response.content[:500])


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listing=st.booleans(), first=DAYS, second=DAYS, days=st.integers(1, 31), with_end=st.booleans())
def test_no_day_in_a_query_string_makes_the_api_fail(member, pool, listing, first, second, days, with_end):
    client = Client(raise_request_exception=False)
    if listing:
        query = {"start": first, "end": second} if with_end else {"start": first}
        response = client.get("/api/spaces/bookings", query, headers=bearer(member))
    else:
        url = f"/api/spaces/resources/{pool.public_id}/availability"
        response = client.get(url, {"start": first, "days": days}, headers=bearer(member))
    no_server_error(response, first, second, days)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moving=st.booleans(), start=MOMENTS, end=MOMENTS)
def test_no_instant_in_a_booking_makes_the_api_fail(member, pool, booking, moving, start, end):
    client = Client(raise_request_exception=False)
    with transaction.atomic():
        if moving:
            response = client.patch(
                f"/api/spaces/bookings/{booking.public_id}",
                json.dumps({"start": start, "end": end}),
                content_type="application/json",
                headers=bearer(member),
            )
        else:
            payload = {"resource": str(pool.public_id), "start": start, "end": end}
            response = post(client, "/api/spaces/bookings", payload, bearer(member))
        transaction.set_rollback(True)
    no_server_error(response, start, end)


# --- Pages and feeds ----------------------------------------------------------------------------------


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.mark.parametrize("day", FAR)
def test_the_booking_form_refuses_a_far_day_next_to_the_field(frozen_clock, member_client, room, day):
    url = reverse("spaces:book", args=[room.public_id])
    assert member_client.get(url, {"date": day, "debut": "00:00", "fin": "23:59"}).status_code == 200
    data = {"date": day, "start_time": "00:00", "end_time": "23:59"}
    response = member_client.post(url, data)
    assert response.status_code == 200
    assert "trop loin" in response.content.decode()
    assert not room.bookings.exists()


def test_a_weekly_booking_until_year_9999_is_refused_next_to_its_field(frozen_clock, member_client, room):
    data = {"date": "2026-03-03", "start_time": "09:00", "end_time": "10:00", "repeat": "on"}
    response = member_client.post(
        reverse("spaces:book", args=[room.public_id]), {**data, "until": "9999-12-31"}
    )
    assert response.status_code == 200
    assert "trop loin" in response.content.decode()
    assert not room.bookings.exists()


@pytest.mark.parametrize("day", FAR)
def test_moving_a_booking_to_a_far_day_is_refused_on_the_page(member_client, booking, day):
    url = reverse("spaces:change", args=[booking.public_id])
    response = member_client.post(url, {"date": day, "start_time": "00:00", "end_time": "23:59"})
    assert response.status_code == 200
    assert "trop loin" in response.content.decode()
    booking.refresh_from_db()
    assert booking.start == paris(2026, 3, 3, 9, 0)


@pytest.mark.parametrize("view", ["jour", "semaine"])
def test_the_last_and_first_days_within_reach_still_show(frozen_clock, client, place, room, view):
    url = reverse("spaces:availability", args=[place.pk])
    for day in (NOW.date() + datetime.timedelta(days=3660), NOW.date() - datetime.timedelta(days=3660)):
        response = client.get(url, {"jour": day.isoformat(), "vue": view})
        assert response.status_code == 200
        assert response.context["day"] == day


@pytest.mark.parametrize("query", ["semaine=9999-12-31", "du=0001-01-01&au=0001-01-31"])
def test_exports_say_in_french_how_far_they_reach(frozen_clock, client, manager, place, query):
    client.force_login(manager)
    kind = "disponibilites" if query.startswith("semaine") else "occupation"
    response = client.get(f"/espaces/lieux/{place.pk}/export/{kind}.csv?{query}")
    assert response.status_code == 400
    assert "à moins de 10 ans d'aujourd'hui" in response.content.decode()
