from django.urls import path

from . import feeds, views
from .views import config, config_members

CONFIG = "lieux/<uuid:place_id>/configuration/"
RESOURCE = CONFIG + "ressources/<uuid:resource_id>/"

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
    path("reservations/<uuid:booking_id>/pointage-annule/", views.undo_check_in, name="undo-check-in"),
    path("listes-attente/<uuid:entry_id>/quitter/", views.leave_waitlist, name="leave-waitlist"),
    *feeds.urlpatterns,
    # The team's configuration pages of a place (views/config.py, views/config_members.py).
    path(CONFIG, config.home, name="config"),
    path(CONFIG + "ressources/", config.resources, name="config-resources"),
    path(CONFIG + "ressources/nouvelle/", config.resource_new, name="config-resource-new"),
    path(RESOURCE, config.resource_edit, name="config-resource"),
    path(RESOURCE + "activer/", config.resource_active, name="config-resource-active"),
    path(RESOURCE + "tarifs/nouveau/", config.price_new, name="config-price-new"),
    path(RESOURCE + "tarifs/<uuid:rule_id>/", config.price_edit, name="config-price"),
    path(RESOURCE + "tarifs/<uuid:rule_id>/supprimer/", config.price_delete, name="config-price-delete"),
    path(CONFIG + "fermetures/", config.closures, name="config-closures"),
    path(CONFIG + "fermetures/<uuid:closure_id>/", config.closure_edit, name="config-closure"),
    path(
        CONFIG + "fermetures/<uuid:closure_id>/supprimer/",
        config.closure_delete,
        name="config-closure-delete",
    ),
    path(CONFIG + "habilitations/", config.qualifications, name="config-qualifications"),
    path(
        CONFIG + "habilitations/<uuid:qualification_id>/", config.qualification, name="config-qualification"
    ),
    path(
        CONFIG + "habilitations/<uuid:qualification_id>/supprimer/",
        config.qualification_delete,
        name="config-qualification-delete",
    ),
    path(
        CONFIG + "habilitations/<uuid:qualification_id>/titulaires/<uuid:holder_id>/retirer/",
        config.qualification_revoke,
        name="config-qualification-revoke",
    ),
    path(CONFIG + "adherents/", config_members.members, name="config-members"),
    path(CONFIG + "adherents/nouveau/", config_members.member_new, name="config-member-new"),
    path(CONFIG + "adherents/<uuid:member_id>/", config_members.member_edit, name="config-member"),
    path(CONFIG + "adherents/<uuid:member_id>/fin/", config_members.member_end, name="config-member-end"),
]
