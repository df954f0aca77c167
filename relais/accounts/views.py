from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.places.models import Place

from .models import ApiToken


@login_required
def dashboard(request):
    places = Place.objects.managed_by(request.user).select_related("commune").order_by("name")
    return render(
        request,
        "accounts/dashboard.html",
        {"places": places[:200], "place_count": places.count()},
    )


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
