from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relais.privacy.inventory import DataCategory, personal_data


@personal_data(
    "coverage_runs",
    actors=["kept_by"],
    by_user=["kept_by"],
    categories=[DataCategory.TRACE],
    retention_date="created_at",
)
class CoverageRun(models.Model):
    """A coverage analysis as it was run: its parameters, the registry it read, and its results. Stored only
    when a person asks to keep it (`kept_by`) or the `coverage` command runs it (no one)."""

    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    parameters = models.JSONField(_("paramètres"))
    registry_token = models.UUIDField(_("version du registre"))
    registry_changed_at = models.DateTimeField(_("dernière modification du registre"), null=True)
    place_count = models.PositiveIntegerField(_("lieux pris en compte"))
    commune_count = models.PositiveIntegerField(_("communes analysées"))
    excluded_communes = models.JSONField(_("communes exclues (sans coordonnées)"), default=list)
    summary = models.JSONField(_("résumé"), default=dict)
    recommended = models.JSONField(_("sites recommandés"), default=list)
    duration_ms = models.PositiveIntegerField(_("durée (ms)"), default=0)
    kept_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("conservée par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("analyse de maillage")
        verbose_name_plural = _("analyses de maillage")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.parameters.get('territory') or 'France'}"
