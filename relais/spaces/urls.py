from django.urls import path

from . import feeds, views

app_name = "spaces"
urlpatterns = [
    path("", views.index, name="index"),
    path("lieux/<uuid:place_id>/disponibilites/", views.availability, name="availability"),
    path("lieux/<uuid:place_id>/reservations/", views.place_bookings, name="place-bookings"),
    path("ressources/<uuid:resource_id>/reserver/", views.book, name="book"),
    path("mes-reservations/", views.my_bookings, name="my-bookings"),
    path("mon-calendrier/", views.my_calendar, name="my-calendar"),
    path("reservations/<uuid:booking_id>/modifier/", views.change, name="change"),
    path("reservations/<uuid:booking_id>/annuler/", views.cancel, name="cancel"),
    path("reservations/<uuid:booking_id>/pointer/", views.check_in, name="check-in"),
    path("reservations/<uuid:booking_id>/absence/", views.no_show, name="no-show"),
    *feeds.urlpatterns,
]
