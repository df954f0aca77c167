from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_POST

from relais.core.errors import DomainError, ValidationFailed
from relais.privacy.audit import Actor

from . import dedup_sources, directory, quality, services, structured_data, tenancy, upkeep
from . import hours as place_hours_module
from . import vocabularies as voc
from .forms import ErrorReportForm, PlaceForm
from .models import ErrorReport, Place


def _directory_outcome(request, vocabularies=None):
    params, errors = directory.parse_params(request.GET)
    try:
        return directory.run(params, errors, vocabularies=vocabularies)
    except DomainError as exc:  # a value the search itself refused (already checked: defensive)
        errors[exc.field or "q"] = exc.message
        return directory.Outcome(
            params=params, errors=errors, where=directory.WhereAnswer(), what=None, query=None
        )


@require_GET
def place_list(request):
    """The public directory: search by what and where, results as a list (and a map, with JavaScript)."""
    vocabularies = directory.vocabulary_names()
    outcome = _directory_outcome(request, vocabularies)
    params = outcome.params
    return render(
        request,
        "places/place_list.html",
        {
            **search_form_context(outcome, vocabularies),
            "map_url": reverse("places:map") + ("?" + params.url_query(page=1) if outcome.searched else ""),
            "page_links": _page_links(outcome),
            "choice_links": [
                (commune, params.url_query(commune=commune.code_insee, where=commune.name, page=1))
                for commune in outcome.where.choices
            ],
            "wider_links": [(r, params.url_query(radius=r, page=1)) for r in outcome.wider_radii],
            "include_holidays_query": params.url_query(include_unstated_holidays=True, page=1),
        },
    )


def _options(choices, selected=""):
    """<option> elements for (value, label) pairs, escaped: faster than a template loop on every search."""
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if value == selected else "", label) for value, label in choices),
    )


def search_form_context(outcome=None, vocabularies=None):
    """What the search form needs (the directory page, and the home page with an empty search)."""
    vocabularies = vocabularies or directory.vocabulary_names()
    if outcome is None:
        outcome = directory.Outcome(
            params=directory.Params(), errors={}, where=directory.WhereAnswer(), what=None, query=None
        )
    params = outcome.params
    tiers_lieux = directory.tiers_lieu_typologies()
    return {
        "outcome": outcome,
        "params": params,
        "options": {
            "what": format_html_join(
                "", '<option value="{}">', ((name,) for name in directory.what_suggestions(vocabularies))
            ),
            "typology": _options(
                ((c, n) for c, n in vocabularies["typology"].items() if c in tiers_lieux), params.typology
            ),
            "service": _options(vocabularies["service"].items(), params.service),
            "public": _options(vocabularies["public"].items(), params.public),
            "label": _options(vocabularies["label"].items(), params.label),
        },
        "radius_choices": directory.RADIUS_CHOICES,
    }


def _page_links(outcome):
    if outcome.pages <= 1:
        return {}
    params = outcome.params
    links = {}
    if outcome.page > 1:
        links["previous"] = params.url_query(page=outcome.page - 1)
    if outcome.page < outcome.pages:
        links["next"] = params.url_query(page=outcome.page + 1)
    return links


@require_GET
@gzip_page
def place_list_map(request):
    """The map's data for the same search as the list: every result, compact (see directory.map_payload)."""
    outcome = _directory_outcome(request)
    payload = directory.map_payload(outcome)
    payload["errors"] = outcome.errors
    return JsonResponse(payload)


@require_GET
def place_detail(request, place_id):
    """The public page of a place: anyone (its team sees its management panel on it too)."""
    try:  # services.get_place's fetch, with whether the place was merged from several sources
        place = dedup_sources.with_source_flag(Place.objects.with_relations()).get(pk=place_id)
    except (Place.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None
    return render(request, "places/place_detail.html", _place_page_context(request, place))


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
    place = tenancy.get_editable_place_or_404(request.user, place_id)
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


@login_required
def place_history(request, place_id):
    """The place's changes, most recent first, by pages of `services.HISTORY_PAGE_SIZE` events."""
    place = tenancy.get_editable_place_or_404(request.user, place_id)
    history = services.place_history_page(place, request.GET.get("page") or 1)
    page_links = {
        "newer": f"?page={history.number - 1}" if history.number > 1 else "",
        "older": f"?page={history.number + 1}" if history.number < history.pages else "",
    }
    return render(
        request,
        "places/place_history.html",
        {"place": place, "history": history, "page_links": page_links},
    )


# --- The public place page, its printable sheet, error reports, data confirmation -------------------


def _public_place_or_404(place_id):
    try:
        return services.get_place(place_id)
    except DomainError:
        raise Http404 from None


def _names(choices, codes):
    names = dict(choices)
    return [names.get(code, code) for code in codes]


def _geo_uri(place):
    """RFC 5870 `geo:` URI: opens the device's own map application (no third-party map on the page)."""
    if place.latitude is None or place.longitude is None:
        return ""
    return f"geo:{place.latitude:.6f},{place.longitude:.6f}"


def _place_facts(request, place):
    """What the place page and the orientation sheet both show."""
    return {
        "place": place,
        "hours": place_hours_module.place_hours(place),
        "geo_uri": _geo_uri(place),
        "wheelchair_text": place.get_wheelchair_display() if place.wheelchair else "",
        "wheelchair_known": bool(place.wheelchair),
        "fees": _names(voc.FEES, place.fees),
        "access_modes": _names(voc.ACCESS_MODES, place.access_modes),
        "accompaniment_modes": _names(voc.ACCOMPANIMENT_MODES, place.accompaniment_modes),
        "specific_support": _names(voc.SPECIFIC_SUPPORT, place.specific_support),
        "page_url": request.build_absolute_uri(reverse("places:detail", args=[place.pk])),
    }


def _place_page_context(request, place, report_form=None):
    context = _place_facts(request, place)
    can_edit = tenancy.editable_places(request.user).filter(pk=place.pk).exists()
    context.update(
        can_edit=can_edit,
        report_form=report_form or ErrorReportForm(),
        report_route=upkeep.report_route(place),
        json_ld=structured_data.script_json(
            structured_data.json_ld(place, context["hours"], context["page_url"])
        ),
        open_graph=structured_data.open_graph(place, context["page_url"]).items(),
        meta_description=structured_data.description(place),
        completeness=quality.completeness(place) if can_edit else None,
        open_reports=(place.error_reports.filter(status=ErrorReport.Status.OPEN).count() if can_edit else 0),
        # Spaces and equipment to book (the bookings app's resources, through their reverse relation).
        bookable=place.resources.filter(is_active=True).exists(),
        # Open data, shown to everyone: which list said what (None for a place of one source, no query).
        sources=dedup_sources.place_sources(place),
        # Public documents (rules, prices…) for everyone; the team's own are on its documents page.
        public_documents=place.documents.public(),
        can_handle_documents=can_edit or tenancy.works_for(request.user, place),
    )
    return context


@require_GET
def place_sheet(request, place_id):
    """A one-page printable orientation sheet; its text can also be sent by e-mail (nothing is stored)."""
    place = _public_place_or_404(place_id)
    context = _place_facts(request, place)
    text = render_to_string("places/place_sheet.txt", context, request=request).strip()
    subject = _("Orientation : %(name)s") % {"name": " ".join(place.name.split())}
    context["mailto"] = "mailto:?" + urlencode(
        {"subject": subject, "body": text.replace("\r\n", "\n").replace("\n", "\r\n")}, quote_via=quote
    )
    return render(request, "places/place_sheet.html", context)


def place_report(request, place_id):
    """The "Signaler une erreur" form (GET) and its sending (POST, from here or from the place page)."""
    place = _public_place_or_404(place_id)
    if request.method == "POST":
        form = ErrorReportForm(request.POST)
        if form.is_robot:  # answer as if it worked: nothing tells the robot it was spotted
            messages.success(request, upkeep.report_route(place).thanks)
            return redirect("places:detail", place_id=place.pk)
        if form.is_valid():
            try:
                upkeep.create_report(
                    place,
                    kind=form.cleaned_data["kind"],
                    message=form.cleaned_data["message"],
                    reporter_email=form.cleaned_data["email"],
                    actor=Actor.from_request(request),
                    request=request,
                )
            except DomainError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, upkeep.report_route(place).thanks)
                return redirect("places:detail", place_id=place.pk)
    elif request.method == "GET":
        form = ErrorReportForm()
    else:
        return HttpResponseNotAllowed(["GET", "POST"])
    return render(
        request,
        "places/place_report.html",
        {"place": place, "form": form, "report_route": upkeep.report_route(place)},
    )


@login_required
@require_POST
def place_confirm(request, place_id):
    """A manager confirms that the place's data is current (`data_updated_on` = today, audited)."""
    place = tenancy.get_editable_place_or_404(request.user, place_id)
    try:
        upkeep.confirm_data(place, Actor.from_request(request))
    except ValidationFailed as exc:
        messages.error(
            request,
            _("Confirmation impossible : corrigez d'abord les données du lieu (%(errors)s).")
            % {"errors": exc.message},
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Merci : les données du lieu sont confirmées à jour aujourd'hui."))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("places:detail", args=[place.pk])
    return redirect(target)
