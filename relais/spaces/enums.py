from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    DESK_POOL = "desk_pool", _("bureaux partagés (open space)")
    DEDICATED_DESK = "dedicated_desk", _("bureau dédié")
    MEETING_ROOM = "meeting_room", _("salle de réunion")
    MACHINE = "machine", _("machine du fablab")
    EQUIPMENT = "equipment", _("matériel en prêt")
    PERMANENCE = "permanence", _("créneau de permanence partenaire")


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("confirmée")
    CANCELLED = "cancelled", _("annulée")
    NO_SHOW = "no_show", _("absence")
    CHECKED_IN = "checked_in", _("présence pointée")


# Bookings that hold their seats: the others free them.
ACTIVE_STATUSES = (BookingStatus.CONFIRMED, BookingStatus.CHECKED_IN)


class PriceUnit(models.TextChoices):
    FREE = "free", _("gratuit")
    HOUR = "hour", _("à l'heure")
    HALF_DAY = "half_day", _("à la demi-journée")
    DAY = "day", _("à la journée")


class Audience(models.TextChoices):
    ALL = "all", _("tout le monde")
    MEMBER = "member", _("adhérents")
    NON_MEMBER = "non_member", _("non-adhérents")


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", _("en attente")
    OFFERED = "offered", _("place proposée")
    WITHDRAWN = "withdrawn", _("retirée")


class BookingPolicy(models.TextChoices):
    """Who may book a resource online by themselves (the team of the place always may, for anyone)."""

    PUBLIC = "public", _("toute personne ayant un compte")
    MEMBERS = "members", _("les adhérents du lieu")
    STAFF = "staff", _("l'équipe du lieu seulement (par téléphone ou à l'accueil)")
