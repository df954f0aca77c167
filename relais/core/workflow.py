"""Life cycles of records: named transitions, one log per model, one `apply` and one `can`.

A model declares its life cycle once:

    class Proposal(models.Model):
        status = models.CharField(choices=Status.choices, default=Status.PROPOSED)
        workflow = Workflow(
            Transition("accept", sources=[Status.PROPOSED], target=Status.ACCEPTED, guard=_may_review),
            Transition("reject", sources=[Status.PROPOSED], target=Status.REJECTED, guard=_may_review),
            log="places.ProposalTransition",   # a concrete subclass of TransitionLog
        )

and every caller — a domain service, a view, a template, the API — goes through `apply(obj, "accept", actor)`
(checks the state and the guard, writes the new state and fields, logs the move, in one transaction under a
row lock) or asks `can(obj, "accept", actor)` to decide what to show. A guard is a function
`guard(obj, actor, at)` that raises a `DomainError` saying why not; it is written once, here, never again in
a view or a template. Each applied transition sends `transition_applied`, which the audit trail records.
"""

import dataclasses
import functools
from collections.abc import Callable, Iterable

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .errors import Conflict, DomainError, Forbidden  # noqa: F401 (Forbidden: for guards)

# Sent after a transition is applied (inside its transaction): sender=model class, obj, transition,
# from_state, actor, reason, log.
transition_applied = Signal()


@dataclasses.dataclass(frozen=True)
class Transition:
    name: str
    sources: Iterable[str]
    target: str
    guard: Callable | None = None
    label: str = ""

    def allows_from(self, state):
        return state in set(self.sources)


class Workflow:
    """The transitions of a model; `state_field` holds the state, `log` names the TransitionLog model and
    `place_path` the lookup from a record to its place (for the audit trail)."""

    def __init__(self, *transitions, log, state_field="status", place_path="place"):
        self.transitions = {t.name: t for t in transitions}
        self.log = log
        self.state_field = state_field
        self.place_path = place_path

    def __getitem__(self, name):
        try:
            return self.transitions[name]
        except KeyError:
            raise DomainError(
                _("Opération inconnue : %(name)s.") % {"name": name}, code="transition"
            ) from None

    def log_model(self):
        return apps.get_model(self.log) if isinstance(self.log, str) else self.log

    def state_of(self, obj):
        return getattr(obj, self.state_field)

    def available(self, obj, actor=None, at=None):
        """Names of the transitions that `actor` may apply to `obj` now."""
        return [name for name in self.transitions if can(obj, name, actor, at=at)]

    def targets_from(self, state):
        return {t.target for t in self.transitions.values() if t.allows_from(state)}


def _workflow(obj):
    workflow = getattr(type(obj), "workflow", None)
    if not isinstance(workflow, Workflow):
        raise TypeError(f"{type(obj).__name__} declares no workflow")
    return workflow


def check(obj, name, actor=None, *, at=None):
    """Raise the `DomainError` that says why `name` cannot be applied to `obj` now; return the transition."""
    workflow = _workflow(obj)
    transition = workflow[name]
    state = workflow.state_of(obj)
    if not transition.allows_from(state):
        field = obj._meta.get_field(workflow.state_field)
        shown = dict(field.choices or ()).get(state, state)
        raise Conflict(
            _("Impossible dans l'état « %(state)s ».") % {"state": shown},
            field=workflow.state_field,
            code="status",
        )
    if transition.guard is not None:
        transition.guard(obj, actor, at or timezone.now())
    return transition


def can(obj, name, actor=None, *, at=None):
    """True when `apply(obj, name, actor)` would succeed now (for views, templates and the API)."""
    try:
        check(obj, name, actor, at=at)
    except DomainError:
        return False
    return True


def apply(obj, name, actor, *, reason="", at=None, **fields):
    """Apply transition `name` to `obj` on behalf of `actor` (a `privacy.audit.Actor`): lock the row, check
    the state and the guard on the fresh row, write the new state and `fields`, log the move. Returns the
    saved object (a fresh instance)."""
    workflow = _workflow(obj)
    at = at or timezone.now()
    with transaction.atomic():
        current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        transition = check(current, name, actor, at=at)
        from_state = workflow.state_of(current)
        setattr(current, workflow.state_field, transition.target)
        for field_name, value in fields.items():
            setattr(current, field_name, value)
        current.save(update_fields=[workflow.state_field, *fields])
        log = log_transition(current, transition.name, from_state, transition.target, actor, reason=reason)
        transition_applied.send(
            sender=type(current),
            obj=current,
            transition=transition,
            from_state=from_state,
            actor=actor,
            reason=reason,
            log=log,
        )
    return current


def log_transition(obj, name, from_state, to_state, actor, *, reason=""):
    """Write one row of `obj`'s transition log (also for a record's creation: from_state "")."""
    workflow = _workflow(obj)
    model = workflow.log_model()
    user = getattr(actor, "user", None)
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    label = actor.display if actor is not None else ""
    return model.objects.create(
        **{model.subject_field: obj},
        transition=name,
        from_status=from_state or "",
        to_status=to_state,
        by=user,
        by_label=label[:200],
        reason=(reason or "")[:300],
    )


def place_of(obj):
    workflow = _workflow(obj)
    return (
        functools.reduce(
            lambda o, attr: getattr(o, attr) if o is not None else None, workflow.place_path.split("__"), obj
        )
        if workflow.place_path
        else None
    )


class TransitionLog(models.Model):
    """One move of a record's state: which transition, who or which process, when, from, to, why.

    A concrete subclass adds the foreign key to its record and names it in `subject_field`."""

    subject_field = "subject"

    transition = models.CharField(gettext_lazy("opération"), max_length=40, blank=True)
    from_status = models.CharField(gettext_lazy("de"), max_length=20, blank=True)
    to_status = models.CharField(gettext_lazy("vers"), max_length=20)
    at = models.DateTimeField(gettext_lazy("le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    by_label = models.CharField(gettext_lazy("par"), max_length=200, blank=True)
    reason = models.CharField(gettext_lazy("motif"), max_length=300, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.from_status or '∅'} → {self.to_status}"
