from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ALL = ("add", "change", "delete", "view")


class SpacesConfig(AppConfig):
    name = "relais.spaces"
    verbose_name = _("espaces et réservations")
    # What each role's group may do in the Django admin (relais.accounts.access); the rows stay those of
    # the person's places (relais.places.admin_scope).
    team_permissions = {
        "manager": {
            "resource": ALL,
            "pricerule": ALL,
            "closure": ALL,
            "qualification": ALL,
            "userqualification": ALL,
            "booking": ("view",),
            "bookingseries": ("view",),
            "waitlistentry": ("view", "change"),
        },
        "staff": {
            "userqualification": ALL,
            "booking": ("view",),
            "bookingseries": ("view",),
            "waitlistentry": ("view", "change"),
        },
    }
    # Records that make a person known to a place (relais.places.tenancy.known_people).
    place_people = [
        ("spaces.Booking", "person", "place"),
        ("spaces.WaitlistEntry", "person", "place"),
        ("spaces.UserQualification", "user", "qualification__place"),
    ]
