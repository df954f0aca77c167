from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relais.core.errors import DomainError, ValidationFailed
from relais.privacy.audit import Actor

from . import search, services
from .forms import PlaceForm
from .models import Place, Typology


@require_GET
def place_list(request):
    query = search.PlaceQuery(
        q=request.GET.get("q", "")[:200],
        typology=request.GET.get("typology", "")[:40],
        department=request.GET.get("department", "")[:3],
    )
    result = search.search_places(query)
    paginator = Paginator(result.ids, 30)
    page = paginator.get_page(request.GET.get("page"))
    places = Place.objects.with_relations().in_bulk(list(page.object_list))
    return render(
        request,
        "places/place_list.html",
        {
            "query": query,
            "page": page,
            "places": [places[i] for i in page.object_list if i in places],
            "count": result.count,
            "typologies": Typology.objects.filter(is_tiers_lieu=True),
        },
    )


@require_GET
def place_detail(request, place_id):
    try:
        place = services.get_place(place_id)
    except DomainError:
        raise Http404 from None
    return render(
        request,
        "places/place_detail.html",
        {
            "place": place,
            "open_now": search.is_open(place.opening_hours),
            "next_change": search.next_change(place.opening_hours),
            "can_edit": Place.objects.managed_by(request.user).filter(pk=place.pk).exists(),
        },
    )


def _managed_place_or_404(user, place_id):
    place = Place.objects.managed_by(user).filter(pk=place_id).first()
    if place is None:
        raise Http404
    return place


@login_required
def place_edit(request, place_id):
    place = _managed_place_or_404(request.user, place_id)
    if request.method == "POST":
        form = PlaceForm(request.POST)
        if form.is_valid():
            try:
                services.update_place(place, form.to_data(), Actor.from_request(request))
            except ValidationFailed as exc:
                form.add_domain_errors(exc.errors)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Les modifications du lieu ont été enregistrées."))
                return redirect("places:detail", place_id=place.pk)
    else:
        form = PlaceForm(initial=PlaceForm.initial_from(services.snapshot(place)))
    return render(request, "places/place_edit.html", {"place": place, "form": form})


@login_required
def place_history(request, place_id):
    place = _managed_place_or_404(request.user, place_id)
    return render(
        request,
        "places/place_history.html",
        {"place": place, "events": services.place_history(place)[:200]},
    )
