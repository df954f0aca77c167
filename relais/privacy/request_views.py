"""The DPO's pages on data-subject requests: the list (overdue ones first and marked), a new request, and a
request's page — its deadline and extension, its life cycle, the erasure (a dry run first) and the export.

Who may use them: the DPOs, as for the audit searches (`searches.scope_for`): the instance's DPO (permission
`privacy.search_auditevent`) and superusers over every request, the DPO of a place over their places'
requests; anyone else signed in gets a 404, the anonymous the login page. A request is reached by its UUID;
one outside the scope is a 404. The operations are in subject_requests.py.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.core.errors import DomainError
from relais.core.forms import add_domain_error

from . import searches, subject_requests
from .audit import Actor
from .models import SubjectRequest, SubjectRequestStatus
from .request_forms import ExtensionForm, RectificationForm, RefusalForm, RequestForm

CLOSED_SHOWN = 50


def _scope_or_404(request):
    scope = searches.scope_for(request.user)
    if scope is None:
        raise Http404
    return scope


def _request_or_404(scope, public_id):
    found = subject_requests.for_scope(scope).filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def _places(scope):
    place_model = SubjectRequest._meta.get_field("place").related_model
    places = place_model._default_manager.order_by("name")
    return places.filter(pk__in=scope.places) if not scope.whole_instance else places.none()


@login_required
@require_GET
def request_list(request):
    scope = _scope_or_404(request)
    now = timezone.now()
    requests = subject_requests.for_scope(scope)
    open_requests = list(requests.open().order_by("due_at", "id"))
    for item in open_requests:
        item.overdue = item.is_overdue(now)
    open_requests.sort(key=lambda r: (not r.overdue, r.deadline))
    closed = list(
        requests.exclude(pk__in=[r.pk for r in open_requests]).order_by("-received_at")[:CLOSED_SHOWN]
    )
    return render(
        request,
        "privacy/requests/list.html",
        {
            "open_requests": open_requests,
            "closed_requests": closed,
            "overdue_count": sum(r.overdue for r in open_requests),
            "whole_instance": scope.whole_instance,
        },
    )


def _person(scope, term, form):
    """(account, member) matching `term`, or an error on the form's `person` field."""
    if not term:
        return None, None
    found = searches.find_people(scope, term)
    accounts = [a for a, _row in found if a is not None]
    people = [row for _a, row in found if row is not None]
    if not found:
        form.add_error("person", _("Aucun compte ni adhésion ne correspond à « %(q)s ».") % {"q": term})
    elif len(accounts) > 1 or len(people) > 1:
        form.add_error("person", _("Plusieurs personnes correspondent : saisissez l'adresse e-mail exacte."))
    else:
        return (accounts[0] if accounts else None), (people[0] if people else None)
    return None, None


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request):
    scope = _scope_or_404(request)
    places = list(_places(scope))
    form = RequestForm(request.POST or None, places=places, place_required=not scope.whole_instance)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user, member = _person(scope, data["person"].strip(), form)
        place = next((p for p in places if str(p.pk) == data["place"]), None)
        received_at = None
        if data["received_on"]:
            received_at = timezone.make_aware(
                datetime.datetime.combine(data["received_on"], datetime.time(12))
            )
        if not form.errors:
            try:
                created = subject_requests.open_request(
                    Actor.from_request(request),
                    scope=scope,
                    kind=data["kind"],
                    channel=data["channel"],
                    received_at=received_at,
                    place=place,
                    user=user,
                    member=member,
                    person_name=data["person_name"],
                    person_contact=data["person_contact"],
                    identity_checked=data["identity_checked"],
                    identity_check=data["identity_check"],
                )
            except DomainError as error:
                add_domain_error(form, error, {"received_at": "received_on"})
            else:
                messages.success(request, _("La demande est enregistrée."))
                return redirect("privacy:request", request_id=created.public_id)
    status = 400 if form.errors else 200
    return render(request, "privacy/requests/form.html", {"form": form}, status=status)


def _shown(action):
    """A stored action with its date as a datetime (shown in the page's time zone)."""
    return {**action, "at": parse_datetime(action["at"])}


def _detail(
    request,
    scope,
    subject_request,
    *,
    status=200,
    error=None,
    extension=None,
    refusal=None,
    rectification=None,
):
    latest = subject_requests.latest_extension(subject_request)
    context = {
        "item": subject_request,
        "overdue": subject_request.is_overdue(),
        "latest_extension": latest,
        "extension_form": extension or ExtensionForm(),
        "refusal_form": refusal or RefusalForm(),
        "rectification_form": rectification or RectificationForm(),
        "rectifications": [_shown(a) for a in subject_request.actions if a["kind"] == "rectification"],
        "error": error,
        "erasure_runs": [_shown(a) for a in subject_request.actions if a["kind"] == "erasure"],
        "exports": [_shown(a) for a in subject_request.actions if a["kind"] == "export"],
        "has_dry_run": any(a["kind"] == "erasure" and a["dry_run"] for a in subject_request.actions),
        "transitions": [
            (t, SubjectRequestStatus(t.to_status).label)
            for t in subject_request.transitions.order_by("at", "id")
        ],
        "whole_instance": scope.whole_instance,
    }
    return render(request, "privacy/requests/detail.html", context, status=status)


@login_required
@require_GET
def request_detail(request, request_id):
    scope = _scope_or_404(request)
    return _detail(request, scope, _request_or_404(scope, request_id))


ACTIONS = {
    "commencer",
    "repondre",
    "refuser",
    "prolonger",
    "simuler-effacement",
    "effacer",
    "exporter",
    "rectifier",
}


@login_required
@require_POST
def request_action(request, request_id, action):
    if action not in ACTIONS:
        raise Http404
    scope = _scope_or_404(request)
    subject_request = _request_or_404(scope, request_id)
    actor = Actor.from_request(request)
    extension = refusal = rectification = None
    try:
        if action == "commencer":
            subject_requests.start(subject_request, actor)
        elif action == "repondre":
            subject_requests.answer(subject_request, actor)
        elif action == "refuser":
            refusal = RefusalForm(request.POST)
            if not refusal.is_valid():
                return _detail(request, scope, subject_request, status=400, refusal=refusal)
            subject_requests.refuse(subject_request, actor, refusal.cleaned_data["reason"])
        elif action == "prolonger":
            extension = ExtensionForm(request.POST)
            if not extension.is_valid():
                return _detail(request, scope, subject_request, status=400, extension=extension)
            until = timezone.make_aware(
                datetime.datetime.combine(extension.cleaned_data["extended_to"], datetime.time(23, 59))
            )
            subject_requests.extend(
                subject_request, actor, until=until, reason=extension.cleaned_data["extension_reason"]
            )
        elif action == "rectifier":
            rectification = RectificationForm(request.POST)
            if not rectification.is_valid():
                return _detail(request, scope, subject_request, status=400, rectification=rectification)
            subject_requests.run_rectification(
                subject_request, actor, scope=scope, changes=rectification.changes()
            )
        elif action in ("simuler-effacement", "effacer"):
            subject_requests.run_erasure(subject_request, actor, scope=scope, dry_run=action != "effacer")
        elif action == "exporter":
            content = subject_requests.run_export(subject_request, actor, scope=scope)
            response = HttpResponse(content, content_type="application/zip")
            response["Content-Disposition"] = (
                f'attachment; filename="donnees-{subject_request.public_id}.zip"'
            )
            return response
    except DomainError as error:
        if extension is not None:
            add_domain_error(extension, error)
            error = None
        elif refusal is not None:
            add_domain_error(refusal, error)
            error = None
        elif rectification is not None and error.field in rectification.fields:
            add_domain_error(rectification, error)
            error = None
        fresh = _request_or_404(scope, request_id)
        return _detail(
            request,
            scope,
            fresh,
            status=400,
            error=error,
            extension=extension,
            refusal=refusal,
            rectification=rectification,
        )
    messages.success(request, _("C'est fait."))
    return redirect("privacy:request", request_id=subject_request.public_id)
