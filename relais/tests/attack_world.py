"""What the attack tests (test_attacks_*.py) share: two places with every kind of record reached by URL, and
the list of every route of the project, each with the arguments that name place A's records.

The routes are read from the URL resolver (recursively, namespaces included), not written down: a route
added tomorrow is attacked too, and a route whose arguments this module cannot fill fails the tests that
walk them (`ROUTE_ARGUMENTS` must then learn its argument).
"""

import dataclasses
import datetime
import uuid
import zoneinfo

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from relais.accounts.models import ApiToken, PlaceRole
from relais.members.models import Member
from relais.places.models import DuplicateCandidate, ErrorReport, PlaceProposal
from relais.spaces import feeds
from relais.spaces.models import Booking, Closure, PriceRule, UserQualification, WaitlistEntry
from relais.testing import PlaceFactory, QualificationFactory, ResourceFactory, UserFactory

PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@dataclasses.dataclass
class Side:
    """One place and everything of it that an address names."""

    place: object
    manager: object
    staff: object
    member_user: object
    member: object
    resource: object
    price: object
    closure: object
    qualification: object
    holder: object
    booking: object
    waitlist: object
    report: object
    proposal: object
    manager_token: str
    member_token: str
    member_feed: str


def make_side(label, commune_place=None):
    place = PlaceFactory(name=f"Lieu {label}", managers=[manager := UserFactory(username=f"gerant_{label}")])
    staff = UserFactory(username=f"equipe_{label}")
    PlaceRole.objects.create(user=staff, place=place, role=PlaceRole.Role.STAFF)
    member_user = UserFactory(username=f"adherent_{label}", first_name="Camille", last_name=label)
    member = Member.objects.create(place=place, user=member_user, joined_on=datetime.date(2025, 1, 1))
    qualification = QualificationFactory(place=place, name=f"Découpe laser {label}")
    resource = ResourceFactory(place=place, name=f"Salle {label}")
    start = datetime.datetime(2031, 3, 3, 10, tzinfo=PARIS)
    booking = Booking.objects.create(
        resource=resource,
        place=place,
        person=member_user,
        booked_by=member_user,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    waitlist = WaitlistEntry.objects.create(
        resource=resource,
        place=place,
        person=member_user,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    return Side(
        place=place,
        manager=manager,
        staff=staff,
        member_user=member_user,
        member=member,
        resource=resource,
        price=PriceRule.objects.create(resource=resource, unit="hour", amount_cents=500),
        closure=Closure.objects.create(
            place=place,
            start=datetime.datetime(2031, 8, 1, tzinfo=PARIS),
            end=datetime.datetime(2031, 8, 16, tzinfo=PARIS),
            reason="congés",
        ),
        qualification=qualification,
        holder=UserQualification.objects.create(
            user=member_user, qualification=qualification, granted_on=datetime.date(2025, 2, 1)
        ),
        booking=booking,
        waitlist=waitlist,
        report=ErrorReport.objects.create(
            place=place, kind="hours", message="Horaires faux.", reporter_email="a@exemple.fr"
        ),
        proposal=PlaceProposal.objects.create(
            kind=PlaceProposal.Kind.CLAIM, place=place, proposed_by=member_user, message="C'est mon lieu."
        ),
        manager_token=ApiToken.issue(manager, "jeton")[1],
        member_token=ApiToken.issue(member_user, "jeton")[1],
        member_feed=feeds.issue_feed_token(member_user),
    )


@dataclasses.dataclass
class World:
    a: Side
    b: Side
    candidate: object
    network_admin: object


def make_world():
    a, b = make_side("A"), make_side("B")
    candidate = DuplicateCandidate.objects.create(
        place_a=a.place, place_b=b.place, name_a=a.place.name, name_b=b.place.name, score=80
    )
    admin = UserFactory(username="reseau", network_admin=True)
    return World(a=a, b=b, candidate=candidate, network_admin=admin)


# --- Routes ------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Route:
    name: str  # "namespace:name", or "" for an unnamed route
    pattern: str  # the route as written, prefixes joined
    callback: object
    arguments: tuple  # the names of its path arguments
    default_kwargs: dict

    @property
    def is_api(self):
        return self.pattern.startswith("api/")

    @property
    def is_admin(self):
        return self.pattern.startswith("admin/")


def _walk(patterns, prefix="", namespace="", outer=()):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else entry.namespace
            arguments = outer + tuple(entry.pattern.regex.groupindex)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), inner or namespace, arguments)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            regex = entry.pattern.regex
            yield Route(
                name=name,
                pattern=prefix + str(entry.pattern),
                callback=entry.callback,
                arguments=outer + tuple(a for a in regex.groupindex if a not in entry.default_args),
                default_kwargs=dict(entry.default_args),
            )


def all_routes():
    return list(_walk(get_resolver().url_patterns))


def _admin_object(world):
    return str(world.a.place.pk)


# What fills each path argument, for place A's records (a function of the world). Path arguments that are
# not identifiers of records (a commune code, a file name, a decision) are filled too, so that every route
# can be requested.
ROUTE_ARGUMENTS = {
    "place_id": lambda w: w.a.place.pk,
    "resource_id": lambda w: w.a.resource.public_id,
    "rule_id": lambda w: w.a.price.public_id,
    "closure_id": lambda w: w.a.closure.public_id,
    "qualification_id": lambda w: w.a.qualification.public_id,
    "holder_id": lambda w: w.a.holder.public_id,
    "member_id": lambda w: w.a.member.public_id,
    "booking_id": lambda w: w.a.booking.public_id,
    "entry_id": lambda w: w.a.waitlist.public_id,
    "report_id": lambda w: w.a.report.public_id,
    "proposal_id": lambda w: w.a.proposal.pk,
    "candidate_id": lambda w: w.candidate.public_id,
    "token_id": lambda w: ApiToken.objects.filter(user=w.a.manager).first().public_id,
    "token": lambda w: w.a.member_feed,
    "decision": lambda w: "accepter",
    "code": lambda w: "15014",
    "name": lambda w: "communes.csv",
    "uidb64": lambda w: "MQ",
    # The uploaded files (relais/core/uploads.py, another issue's): no file in this world, any name.
    "folder": lambda w: "logos",
    "file_id": lambda w: uuid.UUID(int=1),
    "document_id": lambda w: uuid.UUID(int=1),
    # The data-subject requests (relais/privacy/, another issue's, being built): none in this world.
    "request_id": lambda w: uuid.UUID(int=1),
    "action": lambda w: "cloturer",
    # The Django admin's own arguments (the operator's support staff; not the team pages).
    "app_label": lambda w: "places",
    "model_name": lambda w: "place",
    "object_id": _admin_object,
    "content_type_id": lambda w: 1,
    "id": lambda w: w.a.manager.pk,
    "pk": lambda w: 1,
    "url": lambda w: "nulle-part",
    "path": lambda w: "nulle-part",
}

# The arguments that identify a record, and the route argument holding it.
OBJECT_ARGUMENTS = {
    "place_id",
    "resource_id",
    "rule_id",
    "closure_id",
    "qualification_id",
    "holder_id",
    "member_id",
    "booking_id",
    "entry_id",
    "report_id",
    "proposal_id",
    "candidate_id",
    "token_id",
    "token",
}


# Arguments whose value depends on the route.
ROUTE_SPECIFIC = {("territory:department", "code"): "15", ("territory:region", "code"): "84"}


# Records of other issues (uploads, data-subject requests) this world does not build: their routes are
# walked with an unknown identifier (CSRF, GET), not attacked for IDOR here.
NOT_BUILT = {"file_id", "document_id", "request_id"}


def url_of(route, world, **overrides):
    """The address of `route` naming place A's records (or `overrides`)."""
    kwargs = {}
    for argument in route.arguments:
        if argument in overrides:
            kwargs[argument] = overrides[argument]
        elif (route.name, argument) in ROUTE_SPECIFIC:
            kwargs[argument] = ROUTE_SPECIFIC[(route.name, argument)]
        else:
            kwargs[argument] = ROUTE_ARGUMENTS[argument](world)
    if route.name:
        return reverse(route.name, kwargs=kwargs)
    # An unnamed route (ninja names all its own; the admin too): fill its pattern by hand.
    path = route.pattern
    for key, value in kwargs.items():
        path = path.replace(f"<{key}>", str(value))
    return "/" + path.lstrip("^").rstrip("$")


def missing_arguments(routes):
    return sorted({a for r in routes for a in r.arguments if a not in ROUTE_ARGUMENTS})


def random_uuid():
    return uuid.uuid4()


# --- The state of the records -------------------------------------------------------------------------

# Apps whose records a request may change; the reference data (territory, vocabularies) is left out (35,000
# communes), and so are the traces a read leaves on purpose: the audit trail (every view of a person's file
# is recorded), sessions, the lock-out's and the rate limits' counters, the task queue.
STATE_APPS = {"accounts", "places", "members", "spaces", "coverage", "admin", "otp_static", "otp_totp"}
STATE_LEFT_OUT = {"places.Typology", "places.Service", "places.Public", "places.Label"}
# Fields a read updates on purpose (when a token or a feed was last used, the TOTP's anti-replay counter).
TRACE_FIELDS = {
    "last_used_at",
    "last_login",
    "last_t",
    "throttling_failure_timestamp",
    "throttling_failure_count",
}


def state():
    """Every row of the records a request may change (trace fields aside), model by model."""
    from django.apps import apps

    rows = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in STATE_APPS or label in STATE_LEFT_OUT:
            continue
        rows[label] = [
            {k: v for k, v in row.items() if k not in TRACE_FIELDS}
            for row in model._default_manager.order_by("pk").values()
        ]
    return rows


def changes(before, after):
    """The models whose rows differ."""
    return sorted(label for label in before if before[label] != after[label])


def csrf_refused(request, reason=""):
    """The CSRF failure view of the attack tests (settings.CSRF_FAILURE_VIEW): a 403 that says it came from
    the CSRF check, so that a 403 for another reason (a missing role) is not mistaken for it."""
    from django.http import HttpResponseForbidden

    response = HttpResponseForbidden(reason)
    response["X-Test-Csrf-Refused"] = reason or "yes"
    return response


# --- What the forms and the import take ----------------------------------------------------------------


def example_row():
    """The first row of the national schema's valid example (a place of the mednum format)."""
    import csv

    from django.conf import settings

    example = settings.RELAIS_DATA_DIR / "schemas" / "lieux-mediation-numerique-exemple-valide.csv"
    with open(example, encoding="utf-8") as handle:
        return next(csv.DictReader(handle))
