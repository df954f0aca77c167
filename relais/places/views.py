from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
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
            "open_now": search.place_is_open(place),
            "next_change": search.place_next_change(place),
            "can_edit": Place.objects.managed_by(request.user).filter(pk=place.pk).exists(),
        },
    )


def _managed_place_or_404(user, place_id):
    place = Place.objects.managed_by(user).filter(pk=place_id).first()
    if place is None:
        raise Http404
    return place


def _add_other_domain_errors(form, place):
    """When the form itself is invalid, also check the fields it accepted, so that all errors show at once."""
    try:
        services.clean_place_data(form.to_data(), partial_of=place)
    except ValidationFailed as exc:
        # Only the fields the form accepted: the others already show the form's own error.
        accepted = set(form.cleaned_data) | ({"commune"} if "code_insee" in form.cleaned_data else set())
        form.add_domain_errors({field: msgs for field, msgs in exc.errors.items() if field in accepted})


@login_required
def place_edit(request, place_id):
    place = _managed_place_or_404(request.user, place_id)
    if request.method == "POST":
        form = PlaceForm(request.POST)
        if form.is_valid():
            try:
                place = services.update_place(place, form.to_data(), Actor.from_request(request))
            except ValidationFailed as exc:
                form.add_domain_errors(exc.errors)
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Les modifications du lieu ont été enregistrées."))
                for warning in place.warnings:
                    messages.warning(request, _("À vérifier : %(warning)s") % {"warning": warning})
                return redirect("places:detail", place_id=place.pk)
        else:
            _add_other_domain_errors(form, place)
    else:
        form = PlaceForm(initial=PlaceForm.initial_from(services.snapshot(place)))
    return render(request, "places/place_edit.html", {"place": place, "form": form})


CHANNELS = {
    "web": gettext_lazy("site"),
    "api": gettext_lazy("API"),
    "command": gettext_lazy("commande"),
    "admin": gettext_lazy("administration"),
}


def _field_labels():
    fields = [*Place._meta.concrete_fields, *Place._meta.many_to_many]
    labels = {f.name: str(f.verbose_name) for f in fields}
    labels["code_insee"] = str(_("commune (code INSEE)"))
    return labels


def _display(value):
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _change_rows(changes, labels):
    """{field: [before, after]} as rows people read: the field's French name, values as text."""
    return [
        {"label": labels.get(field, field), "before": _display(before), "after": _display(after)}
        for field, (before, after) in changes.items()
    ]


@login_required
def place_history(request, place_id):
    place = _managed_place_or_404(request.user, place_id)
    events = list(services.place_history(place)[:200])
    labels = _field_labels()
    for event in events:
        event.rows = _change_rows(event.changes, labels)
        event.channel_label = CHANNELS.get(event.channel, event.channel)
    return render(request, "places/place_history.html", {"place": place, "events": events})
