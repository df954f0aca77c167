from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.places import quality, upkeep
from relais.places.models import ErrorReport, Place
from relais.privacy.audit import Actor

from .models import ApiToken


@login_required
def dashboard(request):
    places = (
        Place.objects.managed_by(request.user)
        .select_related("commune")
        .prefetch_related("typologies", "services", "publics")
        .order_by("name")
    )
    shown = list(places[:200])
    today = timezone.localdate()
    for place in shown:
        place.completeness = quality.completeness(place, today)
    reports = upkeep.visible_reports(request.user).filter(status=ErrorReport.Status.OPEN)
    return render(
        request,
        "accounts/dashboard.html",
        {
            "places": shown,
            "place_count": places.count(),
            "reports": reports[:100],
            "report_count": reports.count(),
        },
    )


@login_required
@require_POST
def resolve_report(request, report_id):
    """Mark an error report resolved: only for the places one manages (404 for the others)."""
    report = get_object_or_404(upkeep.visible_reports(request.user), pk=report_id)
    upkeep.resolve_report(report, Actor.from_request(request))
    messages.success(request, _("Le signalement est marqué comme traité."))
    return redirect(reverse("accounts:dashboard") + "#signalements")


@login_required
def tokens(request):
    raw = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, _("Donnez un nom au jeton (par exemple, l'outil qui l'utilisera)."))
        else:
            _token, raw = ApiToken.issue(request.user, name)
    return render(
        request,
        "accounts/tokens.html",
        {"tokens": request.user.api_tokens.active(), "raw_token": raw},
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(request.user.api_tokens.active(), pk=token_id)
    token.revoke()
    messages.success(request, _("Le jeton a été révoqué."))
    return redirect("accounts:tokens")
