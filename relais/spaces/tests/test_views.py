"""The booking pages: availability, booking form (single and weekly), my bookings, the place's day."""

import datetime
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import PlaceRole
from relais.spaces.enums import BookingStatus, WaitlistStatus
from relais.spaces.models import Booking, Closure, WaitlistEntry
from relais.testing import PlaceFactory, ResourceFactory, UserFactory, assert_french

from .conftest import PARIS


def next_monday(weeks=1):
    """A Monday at least a week ahead (local date), so that the rules see it as bookable."""
    today = timezone.now().astimezone(PARIS).date()
    return today + datetime.timedelta(days=7 * weeks - today.weekday())


def at(day, hour, minute=0):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=PARIS)


def make_booking(resource, person, start, end, **kwargs):
    """A booking straight in the database (the rules are tested in test_book.py)."""
    return Booking.objects.create(
        resource=resource,
        place=resource.place,
        person=person,
        booked_by=person,
        start=start,
        end=end,
        **kwargs,
    )


def page_text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client


@pytest.fixture
def staff_client(client, manager):
    client.force_login(manager)
    return client


def test_pages_need_a_login(client, place, room):
    # Free slots are public (no one's name on them); booking and the rest need an account.
    assert client.get(reverse("spaces:availability", args=[place.pk])).status_code == 200
    assert client.get(reverse("spaces:index")).status_code == 200
    for url in (
        reverse("spaces:book", args=[room.public_id]),
        reverse("spaces:my-bookings"),
        reverse("spaces:place-bookings", args=[place.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/comptes/connexion/" in response["Location"]


def test_availability_of_a_day_in_words(member_client, place, room, pool, manager):
    day = next_monday()
    make_booking(pool, manager, at(day, 9), at(day, 10), quantity=3)
    Closure.objects.create(place=place, resource=room, start=at(day, 9), end=at(day, 12), reason="travaux")
    response = member_client.get(
        reverse("spaces:availability", args=[place.pk]), {"jour": day.isoformat(), "vue": "jour"}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert f"Disponibilités — {place.name}" in text
    assert "complet" in text  # the pool at 09:00
    assert "fermé" in text  # the room in the morning
    assert "3 places libres" in text  # the pool at 10:00
    assert "libre" in text  # the room in the afternoon
    assert "Jour précédent" in text and "Jour suivant" in text
    book_url = (
        reverse("spaces:book", args=[room.public_id]) + f"?date={day.isoformat()}&debut=14%3A00&fin=14%3A30"
    )
    assert book_url in text
    # The morning of the room is closed: no link to book it at 09:00.
    assert (
        reverse("spaces:book", args=[room.public_id]) + f"?date={day.isoformat()}&debut=09%3A00" not in text
    )


def test_availability_of_a_week_for_one_resource(member_client, place, room):
    day = next_monday()
    response = member_client.get(
        reverse("spaces:availability", args=[place.pk]),
        {
            "jour": (day + datetime.timedelta(days=2)).isoformat(),
            "vue": "semaine",
            "ressource": room.public_id,
        },
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "Semaine précédente" in text and "Semaine suivante" in text
    assert f"{room.name} : créneaux de la semaine" in text
    assert f"?date={(day + datetime.timedelta(days=4)).isoformat()}&debut=09%3A00" in text  # Friday
    # Saturday and Sunday: closed all day.
    assert f"?date={(day + datetime.timedelta(days=5)).isoformat()}" not in text
    other = ResourceFactory(place=PlaceFactory())
    response = member_client.get(
        reverse("spaces:availability", args=[place.pk]), {"ressource": other.public_id}
    )
    assert response.status_code == 404


def test_booking_a_room_then_seeing_it_in_my_bookings(member_client, member, room):
    day = next_monday()
    url = reverse("spaces:book", args=[room.public_id])
    form = member_client.get(url, {"date": day.isoformat(), "debut": "09:00", "fin": "09:30"})
    assert form.status_code == 200
    assert 'value="09:00"' in page_text(form) and "Répéter chaque semaine" in page_text(form)
    assert "Compte de la personne" not in page_text(form)  # only the team books for someone else
    response = member_client.post(
        url, {"date": day.isoformat(), "start_time": "09:00", "end_time": "10:30"}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("spaces:my-bookings")
    booking = Booking.objects.get()
    assert booking.person == member and booking.start == at(day, 9) and booking.end == at(day, 10, 30)
    text = page_text(response)
    assert "Réservation confirmée" in text and room.name in text and "À venir" in text
    assert "09:00–10:30" in text


def test_a_refusal_is_shown_next_to_the_field_it_names(member_client, room):
    day = next_monday()
    response = member_client.post(
        reverse("spaces:book", args=[room.public_id]),
        {"date": day.isoformat(), "start_time": "12:30", "end_time": "13:30"},
    )
    assert response.status_code == 200
    assert not Booking.objects.exists()
    form = response.context["form"]
    [message] = form.errors["start_time"]
    assert "en dehors des horaires d'ouverture du lieu" in message
    assert_french(message)
    text = page_text(response)
    assert 'role="alert"' in text and 'href="#id_start_time"' in text
    assert 'id="id_start_time_error"' in text


def test_form_errors_are_in_french(member_client, pool):
    response = member_client.post(
        reverse("spaces:book", args=[pool.public_id]), {"date": "", "quantity": "9"}
    )
    for errors in response.context["form"].errors.values():
        for message in errors:
            assert_french(message)
    assert set(response.context["form"].errors) == {"date", "start_time", "end_time"}
    day = next_monday()
    data = {"date": day.isoformat(), "start_time": "09:00", "end_time": "10:00", "quantity": "9"}
    response = member_client.post(reverse("spaces:book", args=[pool.public_id]), data)
    [message] = response.context["form"].errors["quantity"]
    assert "n'offre que 3 places (nombre demandé : " in message
    assert not response.context["offer_waitlist"]  # asking too much is no reason to wait


def test_a_series_lists_its_conflicts_then_books_without_them(member_client, member, manager, room):
    day = next_monday()
    make_booking(
        room, manager, at(day + datetime.timedelta(weeks=1), 9), at(day + datetime.timedelta(weeks=1), 10)
    )
    url = reverse("spaces:book", args=[room.public_id])
    data = {
        "date": day.isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "repeat": "on",
        "until": (day + datetime.timedelta(weeks=3)).isoformat(),
        "notes": "Réunion d'équipe",
    }
    response = member_client.post(url, data)
    assert response.status_code == 200
    assert Booking.objects.filter(person=member).count() == 0
    conflicts = response.context["conflicts"]
    assert len(conflicts) == 1 and conflicts[0]["start"].date() == day + datetime.timedelta(weeks=1)
    text = page_text(response)
    assert "Dates en conflit" in text and "est déjà réservé" in text
    assert "Confirmer la réservation" in text and "Réserver la série sans cette date" in text
    response = member_client.post(url, {**data, "skip_conflicts": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("spaces:my-bookings")
    assert Booking.objects.filter(person=member).count() == 3
    assert set(Booking.objects.filter(person=member).values_list("notes", flat=True)) == {"Réunion d'équipe"}
    assert "1 date en conflit n'a pas été réservée" in page_text(response)


def test_change_then_cancel_my_booking(member_client, member, room):
    day = next_monday()
    booking = make_booking(room, member, at(day, 9), at(day, 10))
    page = member_client.get(reverse("spaces:my-bookings"))
    assert reverse("spaces:change", args=[booking.public_id]) in page_text(page)
    change_url = reverse("spaces:change", args=[booking.public_id])
    form = member_client.get(change_url)
    assert 'value="09:00"' in page_text(form)
    response = member_client.post(
        change_url, {"date": day.isoformat(), "start_time": "10:00", "end_time": "11:30"}, follow=True
    )
    assert "La réservation est modifiée" in page_text(response)
    booking.refresh_from_db()
    assert booking.start == at(day, 10) and booking.end == at(day, 11, 30)
    # A refused change: the service's message, next to the end.
    response = member_client.post(
        change_url, {"date": day.isoformat(), "start_time": "10:00", "end_time": "10:10"}
    )
    assert "end_time" in response.context["form"].errors

    cancel_url = reverse("spaces:cancel", args=[booking.public_id])
    confirm = member_client.get(cancel_url)
    assert "Confirmer l'annulation" in page_text(confirm)
    assert "override_deadline" not in page_text(confirm)
    response = member_client.post(cancel_url, {"reason": "empêchement"}, follow=True)
    assert "La réservation est annulée" in page_text(response)
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_a_late_cancellation_is_refused_to_the_member_and_allowed_to_the_team(client, member, manager, place):
    room = ResourceFactory(place=place, cancellation_deadline_minutes=24 * 60)
    start = timezone.now() + datetime.timedelta(hours=2)
    booking = make_booking(room, member, start, start + datetime.timedelta(hours=1))
    client.force_login(member)
    response = client.post(reverse("spaces:cancel", args=[booking.public_id]), {})
    assert response.status_code == 200
    [message] = response.context["form"].non_field_errors()
    # Booked 2 h ahead with a 1-day deadline: never cancellable online, no deadline before its creation.
    assert "ne peut pas être annulée en ligne" in message and "faite après son délai" in message
    client.force_login(manager)
    response = client.post(reverse("spaces:cancel", args=[booking.public_id]), {})
    assert "override_deadline" in response.context["form"].errors
    response = client.post(reverse("spaces:cancel", args=[booking.public_id]), {"override_deadline": "on"})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_someone_elses_booking_is_not_found(client, member, manager, room):
    day = next_monday()
    booking = make_booking(room, manager, at(day, 9), at(day, 10))
    client.force_login(member)
    for name in ("spaces:change", "spaces:cancel"):
        assert client.get(reverse(name, args=[booking.public_id])).status_code == 404
    for name in ("spaces:check-in", "spaces:no-show", "spaces:cancel"):
        assert client.post(reverse(name, args=[booking.public_id])).status_code == 404
    assert booking.transitions.count() == 0 and Booking.objects.get().status == BookingStatus.CONFIRMED


def test_the_places_day_is_for_its_team_only(client, place, member, manager):
    other_manager = UserFactory()
    PlaceRole.objects.create(user=other_manager, place=PlaceFactory(), role=PlaceRole.Role.MANAGER)
    url = reverse("spaces:place-bookings", args=[place.pk])
    for user in (member, other_manager, UserFactory(network_admin=True)):
        client.force_login(user)
        assert client.get(url).status_code == 404
    staff = UserFactory()
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    client.force_login(staff)
    response = client.get(url)
    assert response.status_code == 200 and f"Réservations — {place.name}" in page_text(response)


def test_the_team_checks_in_and_notes_a_no_show(staff_client, place, room, pool, member):
    now = timezone.now()
    here = make_booking(
        room, member, now - datetime.timedelta(minutes=10), now + datetime.timedelta(minutes=50)
    )
    absent = make_booking(
        pool,
        None,
        now - datetime.timedelta(minutes=20),
        now + datetime.timedelta(minutes=40),
        person_name="Dominique Sansmail",
        person_contact="04 71 00 00 00",
    )
    day = now.astimezone(PARIS).date()
    url = reverse("spaces:place-bookings", args=[place.pk]) + f"?jour={day.isoformat()}"
    page = staff_client.get(url)
    text = page_text(page)
    assert "Dominique Sansmail" in text and "04 71 00 00 00" in text and "Pointer la présence" in text
    response = staff_client.post(
        reverse("spaces:check-in", args=[here.public_id]), {"next": url}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert "Présence pointée" in page_text(response)
    response = staff_client.post(
        reverse("spaces:no-show", args=[absent.public_id]), {"next": url}, follow=True
    )
    assert "Absence notée : Dominique Sansmail" in page_text(response)
    here.refresh_from_db()
    absent.refresh_from_db()
    assert here.status == BookingStatus.CHECKED_IN and absent.status == BookingStatus.NO_SHOW
    # A refusal comes back as a message: a booking already pointed cannot be marked absent.
    response = staff_client.post(reverse("spaces:no-show", args=[here.public_id]), {"next": url}, follow=True)
    assert "ne peut pas passer" in page_text(response)
    # Next week's bookings offer no check-in nor absence yet (they would be refused).
    later = make_booking(room, member, at(next_monday(), 9), at(next_monday(), 10))
    text = page_text(
        staff_client.get(reverse("spaces:place-bookings", args=[place.pk]), {"jour": next_monday()})
    )
    assert (
        "Pointer la présence" not in text and "Noter une absence" not in text and later.resource.name in text
    )


def test_the_team_books_for_someone_without_an_account(staff_client, place, room):
    day = next_monday()
    url = reverse("spaces:book", args=[room.public_id])
    assert "Compte de la personne" in page_text(staff_client.get(url))
    data = {"date": day.isoformat(), "start_time": "14:00", "end_time": "15:00", "person_name": "Alix Dupont"}
    response = staff_client.post(url, data)
    assert "person_contact" in response.context["form"].errors
    response = staff_client.post(url, {**data, "person_contact": "06 00 00 00 00"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("spaces:place-bookings", args=[place.pk]))
    booking = Booking.objects.get()
    assert booking.person is None and booking.person_name == "Alix Dupont"
    response = staff_client.post(
        url,
        {**data, "start_time": "16:00", "end_time": "17:00", "person_name": "", "person_account": "inconnu"},
    )
    assert "person_account" in response.context["form"].errors


def test_dashboard_links(staff_client, place):
    text = page_text(staff_client.get(reverse("accounts:dashboard")))
    assert reverse("spaces:my-bookings") in text and reverse("spaces:index") in text
    assert reverse("spaces:place-bookings", args=[place.pk]) in text


def test_index_lists_places_with_resources(member_client, place, room):
    text = page_text(member_client.get(reverse("spaces:index")))
    assert reverse("spaces:availability", args=[place.pk]) in text


def test_a_full_slot_offers_the_waiting_list(member_client, member, manager, room):
    day = next_monday()
    make_booking(room, manager, at(day, 9), at(day, 10))
    url = reverse("spaces:book", args=[room.public_id])
    data = {"date": day.isoformat(), "start_time": "09:00", "end_time": "10:00"}
    response = member_client.post(url, data)
    assert "est déjà réservé" in response.context["form"].errors["start_time"][0]
    assert "liste d'attente" in page_text(response)
    response = member_client.post(url, {**data, "liste_attente": "1"}, follow=True)
    entry = WaitlistEntry.objects.get()
    assert entry.person == member and entry.start == at(day, 9)
    text = page_text(response)
    assert "Inscription sur la liste d'attente" in text, text
    assert "Listes d'attente" in text
    entry.status = WaitlistStatus.OFFERED
    entry.save()
    text = page_text(member_client.get(reverse("spaces:my-bookings")))
    assert f"{url}?date={day.isoformat()}&debut=09:00&fin=10:00" in text


def test_the_places_day_links_to_the_exports_that_download(staff_client, place, room):
    url = reverse("spaces:place-bookings", args=[place.pk]) + "?jour=2026-03-04"
    html = staff_client.get(url).content.decode()
    week = reverse("spaces:availability_export_csv", args=[place.pk]) + "?semaine=2026-03-04"
    month = reverse("spaces:occupancy_export_ods", args=[place.pk]) + "?du=2026-03-01&amp;au=2026-03-31"
    assert week in html and month in html
    assert staff_client.get(week).status_code == 200
    assert staff_client.get(month.replace("&amp;", "&")).status_code == 200


def test_the_availability_page_says_why_a_slot_cannot_be_booked(member_client, place):
    far = ResourceFactory(place=place, name="Salle lointaine", max_horizon_days=7)
    day = next_monday(weeks=3)
    url = reverse("spaces:availability", args=[place.pk])
    text = page_text(
        member_client.get(url, {"jour": day.isoformat(), "ressource": far.public_id, "vue": "semaine"})
    )
    assert "pas encore réservable" in text and "Aucun créneau ouvert" not in text
    assert "libre" not in text.split('<table class="slots"')[1].split("</table>")[0]
    notice = ResourceFactory(place=place, name="Salle à préparer", min_notice_minutes=60 * 24 * 30)
    text = page_text(
        member_client.get(url, {"jour": next_monday().isoformat(), "ressource": notice.public_id})
    )
    assert "trop tard pour réserver" in text
    # A closure of the whole place keeps its rows, said in words (not hidden like the night).
    day = next_monday(weeks=2)
    Closure.objects.create(place=place, start=at(day, 9), end=at(day, 12), reason="inventaire")
    text = page_text(member_client.get(url, {"jour": day.isoformat(), "ressource": far.public_id}))
    assert "fermeture exceptionnelle" in text and ">09:00<" in text


def test_dates_typed_far_away_fall_back_to_today_or_a_clear_refusal(member_client, staff_client, place, room):
    for day in ("9999-12-31", "0001-01-01"):
        for view in ("jour", "semaine"):
            url = reverse("spaces:availability", args=[place.pk])
            assert member_client.get(url, {"jour": day, "vue": view}).status_code == 200
    assert (
        staff_client.get(
            reverse("spaces:place-bookings", args=[place.pk]), {"jour": "9999-12-31"}
        ).status_code
        == 200
    )
    csv_url = reverse("spaces:availability_export_csv", args=[place.pk])
    response = staff_client.get(csv_url, {"semaine": "9999-12-31"})
    assert response.status_code == 400 and "Semaine invalide" in response.content.decode()
    occupancy = reverse("spaces:occupancy_export_csv", args=[place.pk])
    response = staff_client.get(occupancy, {"du": "9999-12-01", "au": "9999-12-31"})
    assert response.status_code == 400 and "Période invalide" in response.content.decode()


def test_the_place_page_leads_to_its_bookings(client, place, room):
    page = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert reverse("spaces:availability", args=[place.pk]) in page
    room.is_active = False
    room.save()
    page = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert reverse("spaces:availability", args=[place.pk]) not in page


def test_the_cancel_page_offers_to_cancel_the_rest_of_a_series(member_client, member, room):
    from relais.privacy.audit import Actor
    from relais.spaces import services

    day = next_monday()
    result = services.book_series(
        Actor(user=member), room, at(day, 9), at(day, 10), day + datetime.timedelta(weeks=2)
    )
    # From the second date on: the first one stays.
    url = reverse("spaces:cancel", args=[result.bookings[1].public_id])
    assert "les dates suivantes" in page_text(member_client.get(url))
    response = member_client.post(url, {"whole_series": "on"}, follow=True)
    assert "2 dates de la réservation régulière sont annulées" in page_text(response)
    statuses = list(result.series.bookings.order_by("start").values_list("status", flat=True))
    assert statuses == [BookingStatus.CONFIRMED, BookingStatus.CANCELLED, BookingStatus.CANCELLED]
    single = services.book(Actor(user=member), room, at(day, 14), at(day, 15))
    assert "les dates suivantes" not in page_text(
        member_client.get(reverse("spaces:cancel", args=[single.public_id]))
    )


def test_a_day_without_slots_links_to_the_next_day_with_some(member_client, place, room):
    saturday = next_monday() + datetime.timedelta(days=5)
    url = reverse("spaces:availability", args=[place.pk])
    text = page_text(member_client.get(url, {"jour": saturday.isoformat()}))
    assert "Aucun créneau ouvert ce jour-là" in text
    monday = saturday + datetime.timedelta(days=2)
    assert f"jour={monday.isoformat()}" in text and "Prochains créneaux" in text
