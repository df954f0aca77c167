"""Members (adhérents) of a place: who may book the resources kept for members, and at which rate.

A member may have an account (and then books online) or not (a person who joined at the desk and books by
phone through the team): the name and one contact are then all that is kept. Plans, passes and invoices
will hang on this record.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicId
from relais.places.tenancy import PlaceOwnedQuerySet
from relais.privacy.inventory import DataCategory, personal_data


class MemberQuerySet(PlaceOwnedQuerySet):
    person_paths = ("user",)

    def active_on(self, day):
        """Members whose membership covers `day` (a date)."""
        return self.filter(joined_on__lte=day).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))


@personal_data(
    "members",
    personal=["user", "name", "contact", "joined_on", "ends_on"],
    actors=["created_by"],
    by_user=["user", "created_by"],
    by_member=["pk"],
    by_email=["contact"],
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.ACTIVITY, DataCategory.TRACE],
    is_person=True,
    retention_date="ends_on",
    copies={"name": "name", "contact": "contact"},
)
class Member(PublicId):
    place = models.ForeignKey(
        "places.Place", on_delete=models.CASCADE, related_name="members", verbose_name=_("lieu")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="memberships",
        verbose_name=_("compte"),
        help_text=_("Vide pour une personne sans compte : l'équipe réserve alors pour elle."),
    )
    name = models.CharField(
        _("nom"), max_length=200, blank=True, help_text=_("Obligatoire pour une personne sans compte.")
    )
    contact = models.CharField(_("téléphone ou e-mail"), max_length=200, blank=True)
    joined_on = models.DateField(_("adhérent depuis le"), default=datetime.date.today)
    ends_on = models.DateField(
        _("adhésion valable jusqu'au"), null=True, blank=True, help_text=_("Vide : sans date de fin.")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inscrit par"),
    )

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("adhérent")
        verbose_name_plural = _("adhérents")
        ordering = ["place", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "user"],
                condition=Q(user__isnull=False),
                name="unique_member_account_per_place",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("joined_on")),
                name="member_ends_after_joining",
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="member_has_account_or_name"
            ),
        ]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        if self.name:
            return self.name
        return str(self.user) if self.user_id else "?"

    def is_active_on(self, day):
        return self.joined_on <= day and (self.ends_on is None or self.ends_on >= day)

    def clean(self):
        errors = {}
        if self.user_id is None and not self.name.strip():
            errors["name"] = ["indiquez le nom de la personne, ou choisissez son compte."]
        if self.user_id is None and not self.contact.strip():
            errors["contact"] = ["indiquez un téléphone ou un e-mail pour joindre une personne sans compte."]
        if self.ends_on and self.joined_on and self.ends_on < self.joined_on:
            errors["ends_on"] = ["la fin de l'adhésion précède son début."]
        if (
            self.user_id
            and self.place_id
            and Member.objects.filter(place_id=self.place_id, user_id=self.user_id)
            .exclude(pk=self.pk)
            .exists()
        ):
            errors["user"] = ["ce compte est déjà adhérent de ce lieu."]
        if errors:
            raise ValidationError(errors)
