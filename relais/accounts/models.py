import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person with an account: network admin, or manager/staff of places through `PlaceRole`."""

    is_network_admin = models.BooleanField(
        _("administrateur du réseau"),
        default=False,
        help_text=_("Peut modifier tous les lieux du registre et voir leur historique."),
    )

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self):
        return self.get_full_name() or self.username


class PlaceRole(models.Model):
    """Who works for which place, and how (what each role sees: `relais.places.tenancy`)."""

    class Role(models.TextChoices):
        MANAGER = "manager", _("gérant")
        STAFF = "staff", _("équipe")
        VOLUNTEER = "volunteer", _("bénévole")
        PARTNER = "partner", _("partenaire (permanences)")
        DPO = "dpo", _("délégué à la protection des données")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="place_roles")
    place = models.ForeignKey("places.Place", on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rôle dans un lieu")
        verbose_name_plural = _("rôles dans les lieux")
        constraints = [models.UniqueConstraint(fields=["user", "place"], name="unique_user_place_role")]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.place}"


def hash_token(raw):
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A bearer token for the write API. Only its SHA-256 is stored; the raw value is shown once."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user, name):
        """Create a token; returns (token, raw value). The raw value cannot be recovered later."""
        raw = "rl_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=hash_token(raw), prefix=raw[:8])
        return token, raw

    @classmethod
    def authenticate(cls, raw):
        token = cls.objects.active().select_related("user").filter(key_hash=hash_token(raw or "")).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
