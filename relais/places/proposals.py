"""Proposing a place, claiming one, and a network admin's review.

Only network admins create places in the registry. Anyone else with an account proposes a new place (the
proposed entry is checked like any other, then waits, invisible, for a network admin) or claims to run an
existing one; accepting a proposal creates the place with its author as manager, accepting a claim makes
its author a manager. Each step is a transition of `PlaceProposal.workflow` (logged and audited). The
author is told of the decision by e-mail (sent after the commit), with the reason of a refusal.
"""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relais.accounts.models import PlaceRole
from relais.core import mail, workflow
from relais.core.errors import Conflict, DomainError, Forbidden
from relais.core.links import absolute_url
from relais.privacy.audit import AuditAction, record

from . import services, tenancy
from .models import PlaceProposal

MESSAGE_MAX_LENGTH = 2000


def _user(actor):
    user = getattr(actor, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        raise Forbidden(_("Connectez-vous pour proposer un lieu."))
    return user


def _clean_message(message):
    message = (message or "").strip()
    if len(message) > MESSAGE_MAX_LENGTH:
        raise DomainError(
            _("le message fait %(length)s caractères, %(max)s au plus.")
            % {"length": len(message), "max": MESSAGE_MAX_LENGTH},
            field="message",
        )
    return message


@transaction.atomic
def propose_place(data, actor, *, message=""):
    """A new place proposed by someone who is not a network admin: checked now (every error at once, as for
    a creation), published only when a network admin accepts it."""
    user = _user(actor)
    services.clean_place_data(data)  # raises ValidationFailed with every wrong field
    proposal = PlaceProposal.objects.create(
        kind=PlaceProposal.Kind.NEW, data=data, message=_clean_message(message), proposed_by=user
    )
    workflow.log_transition(proposal, "propose", "", proposal.status, actor)
    record(actor, AuditAction.CREATE, proposal, changes={"kind": [None, proposal.kind]})
    return proposal


@transaction.atomic
def claim_place(place, actor, *, message=""):
    """Someone says they run `place` and asks to manage its entry."""
    user = _user(actor)
    if tenancy.works_for(user, place, tenancy.MANAGERS):
        raise Conflict(_("Vous gérez déjà ce lieu."), code="already_manager")
    try:
        with transaction.atomic():
            proposal = PlaceProposal.objects.create(
                kind=PlaceProposal.Kind.CLAIM, place=place, message=_clean_message(message), proposed_by=user
            )
    except IntegrityError:
        raise Conflict(
            _("Vous avez déjà demandé à gérer ce lieu : un administrateur du réseau va l'examiner."),
            code="pending_claim",
        ) from None
    workflow.log_transition(proposal, "propose", "", proposal.status, actor)
    record(actor, AuditAction.CREATE, proposal, changes={"kind": [None, proposal.kind]}, place=place)
    return proposal


@transaction.atomic
def accept(proposal, actor):
    """A network admin accepts: the proposed place is created with its author as manager, or the claimant
    becomes a manager of the claimed place."""
    workflow.check(proposal, "accept", actor)
    place = proposal.place
    if proposal.kind == PlaceProposal.Kind.NEW:
        place = services.create_place(proposal.data, actor, manager=proposal.proposed_by)
    else:
        PlaceRole.objects.update_or_create(
            user=proposal.proposed_by, place=place, defaults={"role": PlaceRole.Role.MANAGER}
        )
    accepted = workflow.apply(
        proposal, "accept", actor, place=place, reviewed_by=actor.user, reviewed_at=timezone.now()
    )
    tell_proposer(accepted)
    return accepted


@transaction.atomic
def reject(proposal, actor, *, reason=""):
    """A network admin refuses, saying why (the author reads it by e-mail and on their dashboard)."""
    rejected = workflow.apply(
        proposal, "reject", actor, reason=reason, reviewed_by=actor.user, reviewed_at=timezone.now()
    )
    tell_proposer(rejected, reason=reason)
    return rejected


def tell_proposer(proposal, *, reason=""):
    """E-mail the author of a reviewed proposal the decision (after the commit); False without an address.

    In the instance's language: the author is not the one on the page when the decision is taken."""
    author = proposal.proposed_by
    accepted = proposal.status == PlaceProposal.Status.ACCEPTED
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "proposal": proposal,
            "name": proposal.name,
            "is_claim": proposal.kind == PlaceProposal.Kind.CLAIM,
            "reason": (reason or "").strip(),
            "place_url": absolute_url(reverse("places:detail", args=[proposal.place_id]))
            if accepted and proposal.place_id
            else "",
            "dashboard_url": absolute_url(reverse("accounts:dashboard")),
        }
        template = "proposal_accepted" if accepted else "proposal_rejected"
        body = render_to_string(f"places/email/{template}.txt", context)
        if accepted:
            subject = _("[Relais] Proposition acceptée : « %(place)s »") % {"place": proposal.name}
        else:
            subject = _("[Relais] Proposition refusée : « %(place)s »") % {"place": proposal.name}
    return mail.send_later(author.email, subject, body)


def withdraw(proposal, actor):
    return workflow.apply(proposal, "withdraw", actor)


def pending():
    """Proposals waiting for a network admin, oldest first."""
    return (
        PlaceProposal.objects.filter(status=PlaceProposal.Status.PROPOSED)
        .select_related("place__commune", "proposed_by")
        .order_by("created_at")
    )


def reviewable_or_404(user, proposal_id):
    """A proposal a network admin may review, or one of the user's own; 404 for any other."""
    from django.http import Http404

    queryset = PlaceProposal.objects.select_related("place", "proposed_by")
    if not tenancy.is_network_admin(user):
        queryset = (
            queryset.filter(proposed_by=user) if getattr(user, "is_authenticated", False) else queryset.none()
        )
    proposal = queryset.filter(pk=proposal_id).first()
    if proposal is None:
        raise Http404
    return proposal
