"""Who may book online (anyone with an account, the place's members, only its team) and the member rate:
in the services, on the pages and through the API."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.members.models import Member
from relais.spaces import services
from relais.spaces.models import PriceRule, WaitlistEntry
from relais.testing import PlaceFactory, ResourceFactory, UserFactory

from .conftest import NOW, paris, refusal
from .test_api import bearer, post

TUESDAY = (paris(2026, 3, 3, 9, 0), paris(2026, 3, 3, 11, 0))


@pytest.fixture
def members_room(place):
    room = ResourceFactory(place=place, name="Salle des adhérents", booking_policy="members")
    PriceRule.objects.create(resource=room, audience="non_member", unit="hour", amount_cents=2000)
    PriceRule.objects.create(resource=room, audience="member", unit="hour", amount_cents=1000)
    return room


@pytest.fixture
def desk_slot(place):
    return ResourceFactory(place=place, kind="permanence", name="Permanence CAF", booking_policy="staff")


def test_a_resource_kept_for_members_refuses_the_others(member_actor, members_room):
    error = refusal("members_only", services.book, member_actor, members_room, *TUESDAY, now=NOW)
    assert "réservé aux adhérents" in error.message and error.field == "person"
    assert not members_room.bookings.exists()


def test_a_member_books_at_the_member_rate(member_actor, member, place, members_room):
    Member.objects.create(place=place, user=member, joined_on=datetime.date(2026, 1, 1))
    booking = services.book(member_actor, members_room, *TUESDAY, now=NOW)
    assert booking.member_rate and booking.price_cents == 2000  # 2 h at 10 €


def test_a_membership_of_another_place_does_not_count(member_actor, member, members_room):
    Member.objects.create(place=PlaceFactory(), user=member, joined_on=datetime.date(2026, 1, 1))
    refusal("members_only", services.book, member_actor, members_room, *TUESDAY, now=NOW)


def test_an_ended_membership_is_named_in_the_refusal(member_actor, member, place, members_room):
    Member.objects.create(
        place=place, user=member, joined_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2026, 3, 2)
    )
    error = refusal("members_only", services.book, member_actor, members_room, *TUESDAY, now=NOW)
    assert "ne couvre pas le 03/03/2026" in error.message


def test_a_series_beyond_the_end_of_the_membership_lists_those_dates(
    member_actor, member, place, members_room
):
    Member.objects.create(
        place=place, user=member, joined_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 15)
    )
    with pytest.raises(services.SeriesConflict) as info:
        services.book_series(member_actor, members_room, *TUESDAY, datetime.date(2026, 3, 31), now=NOW)
    assert [c.start.day for c in info.value.conflicts] == [17, 24, 31]
    assert {c.code for c in info.value.conflicts} == {"members_only"}
    assert not members_room.bookings.exists()
    result = services.book_series(
        member_actor, members_room, *TUESDAY, datetime.date(2026, 3, 31), skip_conflicts=True, now=NOW
    )
    assert len(result.bookings) == 2 and all(b.member_rate for b in result.bookings)


def test_a_resource_kept_for_the_team_is_booked_by_the_team_only(
    member_actor, staff_actor, member, desk_slot
):
    error = refusal("staff_only", services.book, member_actor, desk_slot, *TUESDAY, now=NOW)
    assert "équipe du lieu" in error.message
    refusal(
        "staff_only", services.join_waitlist, member_actor, desk_slot, *TUESDAY
    )  # nor queue for it online
    booking = services.book(staff_actor, desk_slot, *TUESDAY, person=member, now=NOW)
    assert booking.person == member
    # The person it was booked for may still move it within the rules.
    moved = services.change(
        member_actor, booking, start=paris(2026, 3, 3, 14, 0), end=paris(2026, 3, 3, 15, 0), now=NOW
    )
    assert moved.start == paris(2026, 3, 3, 14, 0)


def test_the_team_books_for_a_member_without_an_account(staff_actor, place, members_room):
    josiane = Member.objects.create(
        place=place, name="Josiane Vidal", contact="04 71 00 00 00", joined_on=datetime.date(2026, 1, 1)
    )
    booking = services.book(staff_actor, members_room, *TUESDAY, member=josiane, now=NOW)
    assert booking.person is None and booking.person_name == "Josiane Vidal"
    assert booking.person_contact == "04 71 00 00 00"
    assert booking.member_rate and booking.price_cents == 2000


def test_only_the_team_books_for_a_member_and_only_for_its_own(
    member_actor, staff_actor, place, members_room
):
    josiane = Member.objects.create(place=place, name="Josiane", contact="x@example.org")
    refusal("forbidden", services.book, member_actor, members_room, *TUESDAY, member=josiane, now=NOW)
    elsewhere = Member.objects.create(place=PlaceFactory(), name="Ailleurs", contact="y@example.org")
    refusal("invalid", services.book, staff_actor, members_room, *TUESDAY, member=elsewhere, now=NOW)


def test_moving_a_booking_past_the_end_of_the_membership_changes_the_rate(
    staff_actor, member, place, members_room
):
    Member.objects.create(
        place=place, user=member, joined_on=datetime.date(2026, 1, 1), ends_on=datetime.date(2026, 3, 6)
    )
    booking = services.book(staff_actor, members_room, *TUESDAY, person=member, now=NOW)
    assert booking.member_rate and booking.price_cents == 2000
    moved = services.change(
        staff_actor, booking, start=paris(2026, 3, 10, 9, 0), end=paris(2026, 3, 10, 11, 0), now=NOW
    )
    assert not moved.member_rate and moved.price_cents == 4000


def test_joining_the_waiting_list_follows_the_policy(member_actor, member, place, members_room):
    refusal("members_only", services.join_waitlist, member_actor, members_room, *TUESDAY)
    Member.objects.create(place=place, user=member, joined_on=datetime.date(2026, 1, 1))
    services.join_waitlist(member_actor, members_room, *TUESDAY)
    assert WaitlistEntry.objects.filter(person=member).count() == 1


# --- Pages ------------------------------------------------------------------------------------------


def _next_tuesday():
    today = timezone.localdate()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 + 7)


def test_the_booking_page_says_why_a_non_member_cannot_book(client, member, members_room, desk_slot):
    client.force_login(member)
    page = client.get(reverse("spaces:book", args=[members_room.public_id])).content.decode()
    assert "réservé aux adhérents du lieu" in page and '<form method="post" novalidate>' not in page
    assert "20,00 € à l&#x27;heure (non-adhérents)" in page and "10,00 € à l&#x27;heure (adhérents)" in page
    page = client.get(reverse("spaces:book", args=[desk_slot.public_id])).content.decode()
    assert "se réserve auprès de l&#x27;équipe du lieu" in page
    Member.objects.create(place=members_room.place, user=member)
    page = client.get(reverse("spaces:book", args=[members_room.public_id])).content.decode()
    assert '<form method="post" novalidate>' in page


def test_the_team_picks_a_member_in_the_booking_form(client, manager, place, members_room):
    josiane = Member.objects.create(place=place, name="Josiane Vidal", contact="04 71 00 00 00")
    client.force_login(manager)
    url = reverse("spaces:book", args=[members_room.public_id])
    assert "Josiane Vidal" in client.get(url).content.decode()
    day = _next_tuesday()
    data = {
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "member": str(josiane.public_id),
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    booking = members_room.bookings.get()
    assert booking.person_name == "Josiane Vidal" and booking.member_rate
    # Two ways of saying who at once: refused next to the field, nothing booked.
    response = client.post(url, {**data, "start_time": "10:00", "end_time": "11:00", "person_name": "Jean"})
    assert response.status_code == 200
    assert "choisissez un seul des trois" in response.content.decode()
    assert members_room.bookings.count() == 1


# --- API --------------------------------------------------------------------------------------------


def test_the_api_says_who_books_and_books_for_a_member(
    frozen_clock, client, manager, member, place, members_room
):
    headers = bearer(member)
    listed = client.get(f"/api/spaces/places/{place.pk}/resources", headers=headers).json()
    assert {r["name"]: r["booking_policy"] for r in listed}["Salle des adhérents"] == "members"
    payload = {
        "resource": str(members_room.public_id),
        "start": TUESDAY[0].isoformat(),
        "end": TUESDAY[1].isoformat(),
    }
    response = post(client, "/api/spaces/bookings", payload, headers)
    assert response.status_code == 403, response.content
    assert response.json()["code"] == "members_only"
    josiane = Member.objects.create(
        place=place, name="Josiane Vidal", contact="04 71 00 00 00", joined_on=datetime.date(2026, 1, 1)
    )
    # Somebody outside the team cannot even learn whether a member id exists.
    response = post(client, "/api/spaces/bookings", {**payload, "member": str(josiane.public_id)}, headers)
    assert response.status_code == 404
    response = post(
        client, "/api/spaces/bookings", {**payload, "member": str(josiane.public_id)}, bearer(manager)
    )
    assert response.status_code == 201, response.content
    assert response.json()["member_rate"] is True and response.json()["person"] == "Josiane Vidal"


def test_a_manager_of_another_place_cannot_book_for_our_members(frozen_clock, client, place, members_room):
    josiane = Member.objects.create(place=place, name="Josiane Vidal", contact="04 71 00 00 00")
    outsider = UserFactory()
    PlaceRole.objects.create(user=outsider, place=PlaceFactory(), role=PlaceRole.Role.MANAGER)
    payload = {
        "resource": str(members_room.public_id),
        "start": TUESDAY[0].isoformat(),
        "end": TUESDAY[1].isoformat(),
        "member": str(josiane.public_id),
    }
    response = post(client, "/api/spaces/bookings", payload, bearer(outsider))
    assert response.status_code == 404


def test_the_availability_page_says_who_books_what_the_viewer_cannot(
    client, member, place, members_room, desk_slot
):
    day = _next_tuesday()
    url = reverse("spaces:availability", args=[place.pk])
    page = client.get(url, {"jour": day.isoformat()}).content.decode()
    assert "libre (adhérents)" in page and "libre (réservation par l&#x27;équipe)" in page
    Member.objects.create(place=place, user=member)
    client.force_login(member)
    page = client.get(url, {"jour": day.isoformat()}).content.decode()
    assert "libre (adhérents)" not in page and "libre (réservation par l&#x27;équipe)" in page


# --- One refusal for the services and the pages -----------------------------------------------------


def test_one_refusal_answers_for_a_day_and_for_some_day_from_today(members_room, desk_slot):
    today = datetime.date(2026, 3, 2)
    from_next_week = [(datetime.date(2026, 3, 9), None)]
    assert services.refusal(members_room, staff=False, membership=from_next_week, today=today) is None
    error = services.refusal(members_room, staff=False, membership=from_next_week, day=today)
    assert error.code == "members_only" and "ne couvre pas le 02/03/2026" in error.message
    ended = [(datetime.date(2025, 1, 1), datetime.date(2026, 3, 1))]
    error = services.refusal(members_room, staff=False, membership=ended, today=today)
    assert error.code == "members_only" and "ne couvre pas le 02/03/2026" in error.message
    error = services.refusal(desk_slot, staff=False, membership=from_next_week, today=today)
    assert error.code == "staff_only" and error.field == "resource"
    assert services.refusal(desk_slot, staff=True, membership=[], day=today) is None


def test_the_booking_page_shows_the_refusal_a_booking_would_raise(client, member, member_actor, desk_slot):
    place = desk_slot.place
    place.phone = "0471000000"
    place.save(update_fields=["phone"])
    error = refusal("staff_only", services.book, member_actor, desk_slot, *TUESDAY, now=NOW)
    client.force_login(member)
    page = client.get(reverse("spaces:book", args=[desk_slot.public_id])).content.decode()
    assert html.escape(error.message) in page and place.phone_display in page
    assert '<form method="post" novalidate>' not in page
