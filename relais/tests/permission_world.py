"""One world for the permission matrix and the API's schema tests: place A and place B, each with its whole
team, a member of A with an account, and a record of each kind that a URL can reach.

`build_world()` returns a `World` whose `users` are the roles the matrix names, whose `params` fill a URL
pattern's parameters with place A's objects, and whose `tokens` are API tokens with every scope."""

import dataclasses
import datetime

from django.utils import timezone

from relais.accounts.models import ApiToken, PlaceRole
from relais.coverage.models import CoverageRun
from relais.places import dedup
from relais.places.document_models import PlaceDocument
from relais.places.models import ErrorReport, Place, PlaceProposal
from relais.privacy.models import SubjectRequest
from relais.spaces import feeds
from relais.spaces.models import Booking, Closure, PriceRule, UserQualification, WaitlistEntry
from relais.testing import MemberFactory, PlaceFactory, QualificationFactory, ResourceFactory, UserFactory

# Every role of the matrix, in the order its table lists them.
ROLES = (
    "anonymous",  # no session at all
    "outsider",  # an account with no role anywhere and no record
    "member_A",  # a member of place A with an account, no team role
    "volunteer_A",
    "partner_A",
    "dpo_A",
    "staff_A",
    "manager_A",
    "staff_B",  # place B's team, on place A's records: denied as if they did not exist
    "manager_B",
    "dpo_B",
    "network_admin",
)
TEAM_ROLES = {
    "volunteer": PlaceRole.Role.VOLUNTEER,
    "partner": PlaceRole.Role.PARTNER,
    "dpo": PlaceRole.Role.DPO,
    "staff": PlaceRole.Role.STAFF,
    "manager": PlaceRole.Role.MANAGER,
}


@dataclasses.dataclass
class World:
    place_a: Place
    place_b: Place
    users: dict  # role → User (None for anonymous)
    params: dict  # URL parameter name → value (place A's objects)
    objects: dict  # name → object, for the tests' own checks
    feed_secrets: dict  # role → raw secret of the person's calendar feed

    def token(self, role):
        """A raw API token with every scope for `role` (None for anonymous)."""
        user = self.users[role]
        if user is None:
            return None
        return ApiToken.issue(user, f"matrice {role}")[1]


def _next_weekday(weekday, hour):
    """A moment next week on `weekday` (0: Monday) at `hour`, Paris time: within the place's hours."""
    today = timezone.localdate()
    day = today + datetime.timedelta(days=7 + (weekday - today.weekday()) % 7)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _team(place, suffix):
    users = {}
    for name, role in TEAM_ROLES.items():
        user = UserFactory(username=f"{name}_{suffix.lower()}", first_name=name.title(), last_name=suffix)
        PlaceRole.objects.create(user=user, place=place, role=role)
        users[f"{name}_{suffix}"] = user
    return users


def build_world():
    place_a = PlaceFactory(name="Tiers-lieu de la Jordanne")
    place_b = PlaceFactory(name="Fabrique de la Cère", latitude=44.92, longitude=2.46)
    users = {"anonymous": None, "outsider": UserFactory(username="outsider")}
    users |= _team(place_a, "A")
    users |= _team(place_b, "B")
    member_user = UserFactory(username="member_a", first_name="Camille", last_name="Adhérente")
    users["member_A"] = member_user
    users["network_admin"] = UserFactory(username="network_admin", network_admin=True)
    # Only the roles the matrix lists (place B's volunteer and partner exist, to make B a full team).
    users = {role: users[role] for role in ROLES}

    member = MemberFactory(place=place_a, user=member_user)
    MemberFactory(place=place_b, user=None, name="Dominique Sans-Compte", contact="0471000000")
    resource = ResourceFactory(place=place_a, name="Salle du Puy Mary")
    ResourceFactory(place=place_b, name="Salle de la Cère")
    rule = PriceRule.objects.create(resource=resource, unit="hour", amount_cents=500)
    qualification = QualificationFactory(place=place_a, name="Découpe laser")
    holder = UserQualification.objects.create(
        user=member_user, qualification=qualification, granted_on=datetime.date(2026, 1, 5)
    )
    start = _next_weekday(1, 9)
    closure = Closure.objects.create(
        place=place_a, start=start + datetime.timedelta(days=14), end=start + datetime.timedelta(days=15)
    )
    booking = Booking.objects.create(
        resource=resource,
        place=place_a,
        person=member_user,
        booked_by=member_user,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    entry = WaitlistEntry.objects.create(
        resource=resource,
        place=place_a,
        person=member_user,
        start=start,
        end=start + datetime.timedelta(hours=1),
    )
    report = ErrorReport.objects.create(
        place=place_a, kind="hours", message="Fermé le lundi.", reporter_email="temoin@exemple.fr"
    )
    proposal = PlaceProposal.objects.create(
        kind=PlaceProposal.Kind.CLAIM, place=place_a, message="Je suis la gérante.", proposed_by=member_user
    )
    twin = PlaceFactory(name="Tiers lieu de la Jordanne")
    pair = dedup.find_duplicates(Place.objects.filter(pk__in=[place_a.pk, twin.pk])).sure[0]
    candidate = dedup.queue(place_a, twin, pair.score, pair.reasons)
    run = CoverageRun.objects.create(
        parameters={"territory": "dep:15", "radius_km": 10.0, "thresholds_km": [5, 10, 20]},
        registry_token="00000000-0000-4000-8000-000000000000",
        place_count=2,
        commune_count=246,
        kept_by=users["manager_A"],
    )
    # A team document (its record only: no file is written, none is served) and a data-subject request.
    document = PlaceDocument.objects.create(
        place=place_a,
        title="Règlement intérieur",
        file="places/5e1b8a52-3c5d-4d1e-9a8f-2b7c6d0e4f11.pdf",
        size=1000,
    )
    subject_request = SubjectRequest.objects.create(
        kind="access",
        channel="desk",
        place=place_a,
        user=member_user,
        member=member,
        due_at=timezone.now() + datetime.timedelta(days=30),
    )
    member_token, _raw = ApiToken.issue(member_user, "script de Camille")
    feed_secrets = {role: feeds.issue_feed_token(user) for role, user in users.items() if user is not None}
    params = {
        "place_id": place_a.pk,
        "resource_id": resource.public_id,
        "booking_id": booking.public_id,
        "entry_id": entry.public_id,
        "member_id": member.public_id,
        "rule_id": rule.public_id,
        "closure_id": closure.public_id,
        "qualification_id": qualification.public_id,
        "holder_id": holder.public_id,
        "report_id": report.public_id,
        "proposal_id": proposal.pk,
        "decision": "refuser",
        "candidate_id": candidate.public_id,
        "token_id": member_token.public_id,
        "document_id": document.pk,
        "request_id": subject_request.public_id,
        # The calendar feeds' secrets are capabilities: the matrix uses place A's staff's secret.
        "token": feed_secrets["staff_A"],
        "code": "15014",
        "name": "communes.csv",
    }
    objects = {
        "member": member,
        "resource": resource,
        "booking": booking,
        "entry": entry,
        "report": report,
        "proposal": proposal,
        "candidate": candidate,
        "run": run,
        "qualification": qualification,
        "closure": closure,
        "rule": rule,
        "holder": holder,
        "member_token": member_token,
        "document": document,
        "subject_request": subject_request,
    }
    return World(place_a, place_b, users, params, objects, feed_secrets)
