"""The review queue of possible duplicates, for network admins only (404 for anyone else)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from relais.core.errors import DomainError
from relais.privacy.audit import Actor

from . import dedup, dedup_display, tenancy
from .models import DuplicateCandidate, Label, Place, Typology

PAGE_SIZE = 20

REASONS = {
    "siret_same": gettext_lazy("même SIRET (%(detail)s)"),
    "siren_same": gettext_lazy("même SIREN, autre établissement (%(detail)s)"),
    "siret_different": gettext_lazy("SIRET différents (%(detail)s)"),
    "rna_same": gettext_lazy("même numéro RNA (%(detail)s)"),
    "distance": gettext_lazy("à %(detail)s m l'un de l'autre"),
    "position_approximate": gettext_lazy("position approximative (centre de la commune)"),
    "name_generic": gettext_lazy("noms faits seulement de mots courants et du nom de la commune"),
    "name_one_generic": gettext_lazy("un des noms n'a que des mots courants"),
    "name_same": gettext_lazy("noms identiques une fois simplifiés (similarité %(detail)s)"),
    "name_close": gettext_lazy("noms proches (similarité %(detail)s)"),
    "name_alike": gettext_lazy("noms assez proches (similarité %(detail)s)"),
    "name_unlike": gettext_lazy("noms peu semblables (similarité %(detail)s)"),
    "name_different": gettext_lazy("noms différents (similarité %(detail)s)"),
    "address_same": gettext_lazy("même adresse"),
    "address_close": gettext_lazy("adresses proches"),
    "address_other_number": gettext_lazy("même rue, autre numéro (%(detail)s)"),
    "phone_same": gettext_lazy("même téléphone"),
    "email_same": gettext_lazy("même adresse e-mail"),
    "both_france_services": gettext_lazy("tous deux labellisés France Services"),
    "shared_terms": gettext_lazy("typologie ou label en commun (%(detail)s)"),
    "same_commune": gettext_lazy("même commune"),
    "other_commune": gettext_lazy("communes différentes"),
    "same_source": gettext_lazy("même liste source"),
    "itinerant_same_list": gettext_lazy("un lieu itinérant et un autre lieu de la même liste"),
    "one_itinerant": gettext_lazy("l'un des deux lieux est itinérant"),
    "itinerant_review": gettext_lazy(
        "un lieu itinérant et un lieu fixe : jamais fusionnés sans examen (un bus porte le nom et l'adresse "
        "du lieu où il est garé)"
    ),
    "itinerant_fixed_same_list": gettext_lazy(
        "un lieu itinérant et un lieu fixe de la même liste : deux lieux distincts"
    ),
}


def reason_text(reason):
    template = REASONS.get(reason.get("code"))
    if template is None:
        return reason.get("code", "")
    return str(template) % {"detail": reason.get("detail", "")}


def _admin_or_404(request):
    if not tenancy.is_network_admin(request.user):
        raise Http404


@require_GET
def duplicate_list(request):
    """Pending pairs, best score first, side by side, with the reasons of their score."""
    _admin_or_404(request)
    places = Place.objects.select_related("commune").prefetch_related(
        Prefetch("typologies", queryset=Typology.objects.order_by("name")),
        Prefetch("labels", queryset=Label.objects.order_by("name")),
    )
    queryset = (
        dedup.pending()
        .order_by("-score", "created_at", "id")
        .prefetch_related(Prefetch("place_a", queryset=places), Prefetch("place_b", queryset=places))
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    pairs = [
        {
            "candidate": c,
            "a": c.place_a,
            "b": c.place_b,
            "rows": dedup_display.compared_rows(c.place_a, c.place_b),
            "reasons": [(reason_text(r), r.get("points", 0)) for r in c.reasons],
        }
        for c in page.object_list
    ]
    return render(request, "places/dedup/duplicate_list.html", {"page": page, "pairs": pairs})


@require_POST
def duplicate_decide(request, candidate_id):
    """« Fusionner » (keeping the place chosen) or « Ce sont deux lieux distincts »."""
    _admin_or_404(request)
    candidate = (
        DuplicateCandidate.objects.select_related("place_a", "place_b").filter(public_id=candidate_id).first()
    )
    if candidate is None:
        raise Http404
    actor = Actor.from_request(request)
    decision = request.POST.get("decision", "")
    try:
        if decision == "merge":
            keep_id = request.POST.get("keep", "")
            keep = next(
                (p for p in (candidate.place_a, candidate.place_b) if p is not None and str(p.pk) == keep_id),
                None,
            )
            if keep is None:
                raise DomainError(_("Choisissez le lieu à garder."), field="keep")
            result = dedup.decide_merge(candidate, keep, actor)
            messages.success(request, dedup_display.merge_message(result))
        elif decision == "keep_apart":
            dedup.keep_apart(candidate, actor)
            messages.success(
                request, _("C'est noté : ces deux lieux ne seront plus proposés comme doublons.")
            )
        else:
            raise DomainError(
                _("Décision inconnue : choisissez « Fusionner » ou « Ce sont deux lieux distincts ».")
            )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("places:duplicates")
