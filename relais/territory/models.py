from django.db import models
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext_lazy as _

from relais.core.text import normalize_name


class Zone(models.TextChoices):
    METRO = "metro", _("France métropolitaine")
    DROM = "drom", _("Outre-mer (DROM)")


class Region(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    chef_lieu = models.CharField(_("chef-lieu (code INSEE)"), max_length=5, blank=True)
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Department(models.Model):
    code = models.CharField(_("code INSEE"), max_length=3, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    chef_lieu = models.CharField(_("chef-lieu (code INSEE)"), max_length=5, blank=True)
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self):
        return f"{self.name} ({self.code})"


class EpciType(models.TextChoices):
    CC = "CC", _("communauté de communes")
    CA = "CA", _("communauté d'agglomération")
    CU = "CU", _("communauté urbaine")
    METRO = "METRO", _("métropole")
    MET69 = "MET69", _("Métropole de Lyon")


class Epci(models.Model):
    siren = models.CharField(_("SIREN"), max_length=9, primary_key=True)
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=5, choices=EpciType.choices)
    financing = models.CharField(_("mode de financement"), max_length=3, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    department_codes = models.CharField(_("départements"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("EPCI")
        verbose_name_plural = _("EPCI")
        ordering = ["name"]

    def __str__(self):
        return self.name


def is_commune_code(text):
    """A 5-character INSEE or postal code ("42218", "2A004")."""
    return len(text) == 5 and (text.isdigit() or (text[:2].upper() in {"2A", "2B"} and text[2:].isdigit()))


class CommuneQuerySet(models.QuerySet):
    def search(self, query):
        """Communes whose name matches `query`, ignoring case, accents, hyphens and "st"/"saint".

        Best first: exact name, then names starting with the query, then names containing it;
        homonyms by decreasing population. A 5-digit query is taken as an INSEE or postal code.
        """
        query = (query or "").strip()
        if is_commune_code(query):
            code = query.upper()
            return (
                self.filter(models.Q(code_insee=code) | models.Q(postal_codes__code=code))
                .distinct()
                .annotate(rank=Case(When(code_insee=code, then=Value(0)), default=Value(1)))
                .order_by("rank", "-population")
            )
        needle = normalize_name(query)
        if not needle:
            return self.none()
        return (
            self.filter(search_name__contains=needle)
            .annotate(
                rank=Case(
                    When(search_name=needle, then=Value(0)),
                    When(search_name__startswith=needle + " ", then=Value(1)),
                    When(search_name__startswith=needle, then=Value(2)),
                    default=Value(3),
                    output_field=IntegerField(),
                )
            )
            .order_by("rank", "-population", "code_insee")
        )

    def with_coordinates(self):
        return self.filter(latitude__isnull=False, longitude__isnull=False)


class Commune(models.Model):
    code_insee = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    search_name = models.CharField(max_length=100, db_index=True, editable=False)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(
        Epci,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="communes",
        verbose_name=_("EPCI"),
    )
    zone = models.CharField(_("zone"), max_length=5, choices=Zone.choices)
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    coord_source = models.CharField(_("origine des coordonnées"), max_length=10, blank=True)
    area_km2 = models.FloatField(_("superficie (km²)"), null=True, blank=True)
    density = models.FloatField(_("densité (hab./km²)"), null=True, blank=True)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return f"{self.name} ({self.department_id})"

    def save(self, *args, **kwargs):
        self.search_name = normalize_name(self.name)
        super().save(*args, **kwargs)

    @property
    def postal_code_list(self):
        return [p.code for p in self.postal_codes.all()]


class PostalCode(models.Model):
    code = models.CharField(_("code postal"), max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_codes")

    class Meta:
        verbose_name = _("code postal")
        verbose_name_plural = _("codes postaux")
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="unique_postal_code_commune")]

    def __str__(self):
        return self.code


class CommuneAlias(models.Model):
    """An old, delegated or associated commune code, or a municipal arrondissement → current commune."""

    code = models.CharField(_("ancien code ou arrondissement"), max_length=5, primary_key=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="aliases")
    relation = models.CharField(_("relation"), max_length=30)

    class Meta:
        verbose_name = _("code de passage")
        verbose_name_plural = _("codes de passage")

    def __str__(self):
        return f"{self.code} → {self.commune_id}"


class MunicipalArrondissement(models.Model):
    """One of the 45 municipal arrondissements of Paris, Lyon and Marseille (reference data).

    Not a commune: places belong to the commune (Paris 75056); an arrondissement is where a search can be
    centred, found by its INSEE code (75111), its postal codes (75011) or its name (« Paris 11e »).
    """

    code_insee = models.CharField(_("code INSEE"), max_length=5, primary_key=True)
    name = models.CharField(_("nom"), max_length=100)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="arrondissements")
    number = models.PositiveSmallIntegerField(_("numéro"))
    postal_codes = models.CharField(_("codes postaux"), max_length=50)  # space-separated
    population = models.PositiveIntegerField(_("population municipale"), default=0)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    coord_source = models.CharField(_("origine des coordonnées"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("arrondissement municipal")
        verbose_name_plural = _("arrondissements municipaux")
        ordering = ["code_insee"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "number"], name="unique_arrondissement_number")
        ]

    def __str__(self):
        return self.label

    @property
    def label(self):
        """« Paris 11e arrondissement » (the official name writes « Arrondissement »)."""
        return self.name.replace(" Arrondissement", " arrondissement")

    @property
    def short_name(self):
        """« Paris 11e », as a map names it."""
        return self.name.removesuffix(" Arrondissement")

    @property
    def postal_code_list(self):
        return self.postal_codes.split()
