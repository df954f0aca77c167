"""The DPO's pages: « Ce qu'a fait un compte » and « Qui a consulté ou modifié cette personne », each with its
CSV export.

Who may use them: the instance's DPO (permission `privacy.search_auditevent`) and superusers, over the whole
trail; the DPO of a place, over the events of their places (`searches.scope_for`). Anyone else signed in
gets a 404, the anonymous the login page. Each search that shows a person's or an account's events is itself
written to the audit trail (a view of that person or account).
"""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relais.core import tables

from . import searches
from .audit import Actor, AuditAction, record
from .forms import AccountSearchForm, PersonSearchForm

PAGE_SIZE = 50


def _scope_or_404(request):
    scope = searches.scope_for(request.user)
    if scope is None:
        raise Http404
    return scope


def _uuid_or_404(value):
    try:
        return uuid.UUID(value)
    except (TypeError, ValueError, AttributeError):
        raise Http404 from None


def _audit_search(request, target, search):
    record(
        Actor.from_request(request),
        AuditAction.VIEW,
        target,
        changes={"search": [None, search]},
        place=getattr(target, "place", None),
    )


def _query(form, **selected):
    """The query string of the current filters with the selected person or account."""
    params = {k: v for k, v in form.data.items() if k in ("since", "until", "action") and v}
    params.update(selected)
    return urlencode(params)


def _csv(events, filename):
    rows = searches.csv_rows(events, timezone.get_current_timezone())
    response = HttpResponse(
        tables.csv_bytes(rows, searches.CSV_COLUMNS), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- Index ------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    scope = _scope_or_404(request)
    return render(request, "privacy/dpo_index.html", {"whole_instance": scope.whole_instance})


# --- What an account did ----------------------------------------------------------------------------


def _account_search(request):
    """(scope, form, account or None, accounts to choose from)."""
    scope = _scope_or_404(request)
    form = AccountSearchForm(request.GET or None)
    if "compte" in request.GET:
        account = searches.account_by_id(scope, _uuid_or_404(request.GET["compte"]))
        if account is None:
            raise Http404
        return scope, form, account, []
    if not form.is_valid() or not form.cleaned_data["q"]:
        if form.is_bound and form.is_valid():
            form.add_error("q", _("Saisissez l'adresse e-mail ou l'identifiant d'un compte."))
        return scope, form, None, []
    accounts = searches.find_accounts(scope, form.cleaned_data["q"])
    if not accounts:
        form.add_error("q", _("Aucun compte ne correspond à « %(q)s ».") % {"q": form.cleaned_data["q"]})
        return scope, form, None, []
    if len(accounts) > 1:
        return scope, form, None, accounts
    return scope, form, accounts[0], []


def _account_events(request, scope, form, account):
    _audit_search(request, account, "account_events")
    return searches.account_events(scope, account, tz=timezone.get_current_timezone(), **form.filters)


@login_required
@require_GET
def account_search(request):
    scope, form, account, choices = _account_search(request)
    context = {
        "form": form,
        "account": account,
        "choices": choices,
        "whole_instance": scope.whole_instance,
        "page": None,
        "query": "",
        "hidden": [],
    }
    if account is not None and not form.errors:
        page = Paginator(_account_events(request, scope, form, account), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        query = _query(form, compte=str(account.public_id))
        context.update(page=page, query=query)
    if account is not None:
        context["hidden"] = [("compte", account.public_id)]
    return render(request, "privacy/account_events.html", context)


@login_required
@require_GET
def account_export(request):
    scope, form, account, _choices = _account_search(request)
    if account is None or form.errors:
        raise Http404
    return _csv(_account_events(request, scope, form, account), "journal-compte.csv")


# --- Who viewed or changed a person's records -------------------------------------------------------


def _person_search(request):
    """(scope, form, (account, person record) or None, candidates to choose from)."""
    scope = _scope_or_404(request)
    form = PersonSearchForm(request.GET or None)
    if "compte" in request.GET:
        account = searches.account_by_id(scope, _uuid_or_404(request.GET["compte"]))
        if account is None:
            raise Http404
        return scope, form, (account, None), []
    if "fiche" in request.GET:
        person = searches.person_by_id(scope, _uuid_or_404(request.GET["fiche"]))
        if person is None:
            raise Http404
        return scope, form, (getattr(person, "user", None), person), []
    if not form.is_valid() or not form.cleaned_data["q"]:
        if form.is_bound and form.is_valid():
            form.add_error("q", _("Saisissez une adresse e-mail, un identifiant ou un téléphone."))
        return scope, form, None, []
    candidates = searches.find_people(scope, form.cleaned_data["q"])
    if not candidates:
        form.add_error("q", _("Personne ne correspond à « %(q)s ».") % {"q": form.cleaned_data["q"]})
    return scope, form, None, candidates


def _person_events(request, scope, form, selected):
    account, person = selected
    _audit_search(request, person if person is not None else account, "person_events")
    return searches.person_events(
        scope, user=account, member=person, tz=timezone.get_current_timezone(), **form.filters
    )


@login_required
@require_GET
def person_search(request):
    scope, form, selected, candidates = _person_search(request)
    choices = [
        {
            "label": str(person if person is not None else account),
            "detail": _person_detail(account, person),
            "query": _query(form, **_selection(account, person)),
        }
        for account, person in candidates
    ]
    context = {
        "form": form,
        "selected": selected,
        "choices": choices,
        "whole_instance": scope.whole_instance,
        "page": None,
        "query": "",
        "person_label": "",
        "hidden": [],
    }
    if selected is not None and not form.errors:
        account, person = selected
        query = _query(form, **_selection(account, person))
        page = Paginator(_person_events(request, scope, form, selected), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        context.update(page=page, query=query)
    if selected is not None:
        account, person = selected
        context["person_label"] = str(person if person is not None else account)
        context["hidden"] = list(_selection(account, person).items())
    return render(request, "privacy/person_events.html", context)


def _selection(account, person):
    return {"fiche": str(person.public_id)} if person is not None else {"compte": str(account.public_id)}


def _person_detail(account, person):
    if person is None:
        return _("compte %(username)s") % {"username": account.get_username()}
    place = getattr(person, "place", None)
    kind = person._meta.verbose_name
    return _("%(kind)s de %(place)s") % {"kind": kind, "place": place.name} if place else str(kind)


@login_required
@require_GET
def person_export(request):
    scope, form, selected, _candidates = _person_search(request)
    if selected is None or form.errors:
        raise Http404
    return _csv(_person_events(request, scope, form, selected), "journal-personne.csv")
