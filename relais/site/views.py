from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from relais.places.models import Place, Typology
from relais.places.views import search_form_context


@require_GET
def home(request):
    counts = (
        Typology.objects.filter(is_tiers_lieu=True)
        .annotate(n=Count("places"))
        .filter(n__gt=0)
        .order_by("-n")
        .values("code", "name", "n")
    )
    return render(
        request,
        "site/home.html",
        {
            **search_form_context(),
            "compact": True,
            "place_count": Place.objects.visible().count(),
            "typology_counts": counts,
        },
    )
