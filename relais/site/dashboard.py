"""« Mon espace » (/comptes/): the places one may edit, the error reports on them, the place proposals.

It lives in the site layer because it assembles accounts (the person, their roles) and places (tenancy,
quality, upkeep, proposals): accounts sits below places (docs/architecture.md). Its URLs keep the
`accounts` namespace: `relais/urls.py` joins `site/account_urls.py` to `accounts/urls.py` in one include.

A manager of a few places sees each place as a card (completeness, confirm button); someone who may edit
more than a page of them — a network admin may edit every place — gets a search box and a short list
paginated by name instead.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.core.text import normalize_name
from relais.places import proposals, quality, tenancy, upkeep
from relais.places.models import ErrorReport
from relais.privacy.audit import Actor
from relais.spaces.views.config import configuring_roles

PAGE_SIZE = 20  # places per page of the short list; up to that many, a manager sees cards
REPORTS_SHOWN = 100
PROPOSALS_SHOWN = 100
MY_PROPOSALS_SHOWN = 50
MAX_QUERY_LENGTH = 100


@login_required
def dashboard(request):
    user = request.user
    editable = tenancy.editable_places(user).select_related("commune").order_by("name", "pk")
    context = _place_cards(editable) if not user.is_network_admin else None
    if context is None:  # more places than a page of cards
        context = _place_search(request, editable)
    place_roles = list(user.place_roles.select_related("place"))
    configurable = {r.place_id for r in place_roles if r.role in configuring_roles()}
    for place in context["places"]:  # « Configurer les réservations » beside the places whose team one is in
        place.may_configure = place.pk in configurable
    listed = {place.pk for place in context["places"] if place.may_configure}
    for role in place_roles:  # and under « Réservations » for the others only (a staff member's place)
        role.config_link = role.place_id in configurable and role.place_id not in listed
    reports = upkeep.visible_reports(user).filter(status=ErrorReport.Status.OPEN)
    return render(
        request,
        "site/dashboard.html",
        {
            **context,
            "reports": reports[:REPORTS_SHOWN],
            "report_count": reports.count(),
            "reports_shown": REPORTS_SHOWN,
            "pending_proposals": list(proposals.pending()[:PROPOSALS_SHOWN])
            if tenancy.is_network_admin(user)
            else None,
            "my_proposals": list(user.place_proposals.select_related("place")[:MY_PROPOSALS_SHOWN]),
            "place_roles": place_roles,
        },
    )


def _place_cards(editable):
    """The cards of a manager's places, with their completeness; None if there are more than a page."""
    shown = list(editable[: PAGE_SIZE + 1])
    if len(shown) > PAGE_SIZE:
        return None
    prefetch_related_objects(shown, "typologies", "services", "publics")
    today = timezone.localdate()
    for place in shown:
        place.completeness = quality.completeness(place, today)
    return {"places": shown, "place_count": len(shown), "searchable": False}


def _place_search(request, editable):
    """A page of the places one may edit, by name, filtered by words of their name or commune."""
    q = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    found = editable
    for word in normalize_name(q).split():  # the same folded text as the directory's search
        found = found.filter(search_text__contains=word)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return {
        "places": list(page.object_list),
        "place_count": editable.count() if q else page.paginator.count,
        "searchable": True,
        "q": q,
        "page": page,
        "previous_query": _page_query(q, page.previous_page_number()) if page.has_previous() else "",
        "next_query": _page_query(q, page.next_page_number()) if page.has_next() else "",
    }


def _page_query(q, number):
    return urlencode({**({"q": q} if q else {}), "page": number})


@login_required
@require_POST
def review_proposal(request, proposal_id, decision):
    """A network admin accepts or refuses a proposed place, or a claim to manage one (404 for others)."""
    if not tenancy.is_network_admin(request.user) or decision not in {"accepter", "refuser"}:
        raise Http404
    proposal = proposals.reviewable_or_404(request.user, proposal_id)
    actor = Actor.from_request(request)
    try:
        if decision == "accepter":
            proposals.accept(proposal, actor)
            messages.success(request, _("Proposition acceptée : « %(name)s ».") % {"name": proposal.name})
        else:
            proposals.reject(proposal, actor, reason=request.POST.get("reason", "")[:300])
            messages.success(request, _("Proposition refusée : « %(name)s ».") % {"name": proposal.name})
    except DomainError as exc:
        messages.error(request, str(exc))
    return redirect(reverse("accounts:dashboard") + "#propositions")


@login_required
@require_POST
def resolve_report(request, report_id):
    """Mark an error report resolved: only for the places one manages (404 for the others)."""
    report = get_object_or_404(upkeep.visible_reports(request.user), public_id=report_id)
    upkeep.resolve_report(report, Actor.from_request(request))
    messages.success(request, _("Le signalement est marqué comme traité."))
    return redirect(reverse("accounts:dashboard") + "#signalements")
