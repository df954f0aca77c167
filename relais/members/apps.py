from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

ALL = ("add", "change", "delete", "view")


class MembersConfig(AppConfig):
    name = "relais.members"
    verbose_name = _("adhérents")
    # What each role's group may do in the Django admin (relais.accounts.access).
    team_permissions = {
        "manager": {"member": ALL},
        "staff": {"member": ("add", "change", "view")},
    }
    # Records that make a person known to a place (relais.places.tenancy.known_people).
    place_people = [("members.Member", "user", "place")]
