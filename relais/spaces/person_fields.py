"""Who a booking or a waiting-list entry is for, shared by `models.py` and `waitlist_models.py`."""

from django.conf import settings
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

PERSON_COPIES = {"person_name": "name", "person_contact": "contact"}


class PersonFields(models.Model):
    """Who a booking is for: an account, or a name and a contact taken by phone by the staff."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne"),
    )
    person_name = models.CharField(_("nom de la personne"), max_length=200, blank=True)
    person_contact = models.CharField(_("téléphone ou e-mail"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    @admin.display(description=_("personne"))
    def person_display(self):
        if self.person_id:
            return str(self.person)
        return self.person_name or "?"
