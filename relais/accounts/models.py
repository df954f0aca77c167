import datetime
import hashlib
import secrets
import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.core.models import PublicId
from relais.privacy.inventory import DataCategory, personal_data


@personal_data(
    "accounts",
    personal=["username", "first_name", "last_name", "email", "last_login", "date_joined"],
    secret=["password"],
    by_user=["pk"],
    by_email=["email"],
    categories=[DataCategory.IDENTITY, DataCategory.CONTACT, DataCategory.ACCOUNT],
    is_person=True,
    retention_date="last_login",
)
class User(PublicId, AbstractUser):
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


@personal_data("team_roles", personal=["user", "role"], by_user=["user"], categories=[DataCategory.ROLES])
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


def hash_secret(raw):
    """SHA-256 of a random secret (API token, calendar feed secret): what is stored, never the secret."""
    return hashlib.sha256(raw.encode()).hexdigest()


def new_secret(prefix="", nbytes=32):
    """A new random secret and its hash: (raw, hash)."""
    raw = prefix + secrets.token_urlsafe(nbytes)
    return raw, hash_secret(raw)


hash_token = hash_secret


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        """Neither revoked nor expired."""
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=timezone.now())
        )


class Scope(models.TextChoices):
    """What a token may be used for; each write operation of the API names the scope it needs."""

    PLACES_WRITE = "places:write", _("modifier les fiches des lieux que je gère, proposer un lieu")
    SPACES_READ = (
        "spaces:read",
        _("réservations : lire les ressources, leurs disponibilités et mes réservations"),
    )
    SPACES_WRITE = "spaces:write", _("réservations : réserver, modifier, annuler (lire aussi)")


# A scope that implies another: who may book may read what they book.
IMPLIED_SCOPES = {Scope.SPACES_READ: {Scope.SPACES_WRITE}}


# How long a new token lasts, in days (the person chooses among these).
TOKEN_LIFETIMES = (30, 90, 365)
DEFAULT_TOKEN_DAYS = 90


def _default_expiry():
    return timezone.now() + datetime.timedelta(days=DEFAULT_TOKEN_DAYS)


def _all_scopes():
    return [scope.value for scope in Scope]


@personal_data(
    "accounts",
    personal=["user", "last_used_at"],
    secret=["key_hash"],
    by_user=["user"],
    categories=[DataCategory.ACCOUNT],
    not_personal={"name": "the label the person gives the token (« script d'import »)"},
    retention_date="user__last_login",
)
class ApiToken(models.Model):
    """A bearer token for the write API, with scopes and an expiry. Only its SHA-256 is stored; the raw value
    is shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("nom"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    scopes = models.JSONField(_("portées"), default=_all_scopes)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expire le"), null=True, blank=True, default=_default_expiry)
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
    def issue(cls, user, name, *, scopes=None, days=DEFAULT_TOKEN_DAYS):
        """Create a token; returns (token, raw value). The raw value cannot be recovered later."""
        raw, key_hash = new_secret("rl_")
        token = cls.objects.create(
            user=user,
            name=name,
            key_hash=key_hash,
            prefix=raw[:8],
            scopes=sorted(scopes) if scopes is not None else _all_scopes(),
            expires_at=timezone.now() + datetime.timedelta(days=days),
        )
        return token, raw

    @classmethod
    def find(cls, raw):
        """The active token of an active account with this raw value, or None."""
        token = cls.objects.active().select_related("user").filter(key_hash=hash_secret(raw or "")).first()
        if token is None or not token.user.is_active:
            return None
        return token

    @classmethod
    def authenticate(cls, raw):
        token = cls.find(raw)
        if token is None:
            return None
        token.mark_used()
        return token.user

    def mark_used(self):
        ApiToken.objects.filter(pk=self.pk).update(last_used_at=timezone.now())

    def allows(self, scope):
        granted = set(self.scopes or [])
        return scope in granted or bool(granted & IMPLIED_SCOPES.get(scope, set()))

    def revoke(self):
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
