from django.db.models import Count
from django.shortcuts import render
from django.views.decorators.http import require_GET

from relais.places.models import Place, Typology


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
        "core/home.html",
        {"place_count": Place.objects.visible().count(), "typology_counts": counts},
    )
