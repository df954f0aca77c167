from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    CREATE = "create", _("création")
    UPDATE = "update", _("modification")
    DELETE = "delete", _("suppression")
    VIEW = "view", _("consultation")
    IMPORT = "import", _("import")


class AuditEventQuerySet(models.QuerySet):
    def for_object(self, obj):
        return self.filter(target_type=obj._meta.label_lower, target_id=str(obj.pk))


class AuditEvent(models.Model):
    """Who did what to which record, when, from where, with the values before and after."""

    at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("auteur"),
    )
    # Kept even if the account is deleted later, and names non-human actors ("import", "api").
    actor_label = models.CharField(_("auteur (libellé)"), max_length=200, blank=True)
    channel = models.CharField(_("canal"), max_length=20, blank=True)  # web, api, command, admin
    ip_address = models.GenericIPAddressField(_("adresse IP"), null=True, blank=True)
    action = models.CharField(_("action"), max_length=10, choices=AuditAction.choices)
    target_type = models.CharField(_("type d'objet"), max_length=100)
    target_id = models.CharField(_("identifiant"), max_length=64)
    target_label = models.CharField(_("objet"), max_length=300, blank=True)
    place = models.ForeignKey(
        "places.Place", on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_events"
    )
    changes = models.JSONField(_("changements"), default=dict, blank=True)  # {field: [before, after]}

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("événement du journal")
        verbose_name_plural = _("journal d'audit")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.target_label}"
