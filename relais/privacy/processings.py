"""The processings of the privacy app (audit trail, sessions, outgoing mail, the operator's admin log, the
login protection) and the declarations of the models one cannot decorate: Django's own, the third-party
apps', and the reference geography (the layer of privacy, which it cannot import)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .inventory import (
    DataCategory,
    EndAction,
    LegalBasis,
    PersonCategory,
    Processing,
    Retention,
    declare,
    register,
)

SUPPORT = _("l'exploitant de l'instance (support)")
DPO = _("le délégué à la protection des données")

register(
    Processing(
        code="audit",
        purpose=_(
            "Journal d'audit : qui a consulté, créé, modifié ou supprimé quelle donnée, quand et d'où "
            "(sécurité et responsabilité, RGPD art. 5.2 et 32)."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(
            PersonCategory.ACCOUNT_HOLDERS,
            PersonCategory.TEAMS,
            PersonCategory.NETWORK_ADMINS,
            PersonCategory.MEMBERS,
            PersonCategory.USERS,
        ),
        recipients=(DPO, SUPPORT),
        retention=Retention(12, _("l'événement"), EndAction.DELETE),
    ),
    Processing(
        code="sessions",
        purpose=_("Sessions de connexion des personnes qui ont un compte."),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.ACCOUNT_HOLDERS,),
        recipients=(SUPPORT,),
        retention=Retention(1, _("la connexion"), EndAction.DELETE),
    ),
    Processing(
        code="login_protection",
        purpose=_("Protection des comptes contre les tentatives de connexion répétées."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.ACCOUNT_HOLDERS, PersonCategory.PUBLIC),
        recipients=(SUPPORT,),
        retention=Retention(6, _("la tentative de connexion"), EndAction.DELETE),
    ),
    Processing(
        code="outgoing_mail",
        purpose=_("Envoi des e-mails de service (confirmations, rappels, réponses) par la file de tâches."),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.ACCOUNT_HOLDERS, PersonCategory.USERS, PersonCategory.PUBLIC),
        recipients=(SUPPORT,),
        retention=Retention(1, _("l'envoi de l'e-mail"), EndAction.DELETE),
    ),
    Processing(
        code="subject_requests",
        purpose=_(
            "Suivi des demandes d'exercice des droits (accès, rectification, effacement, opposition) et "
            "preuve de la réponse dans le délai légal (RGPD art. 12)."
        ),
        legal_basis=LegalBasis.LEGAL_OBLIGATION,
        people=(
            PersonCategory.ACCOUNT_HOLDERS,
            PersonCategory.MEMBERS,
            PersonCategory.USERS,
            PersonCategory.PUBLIC,
        ),
        recipients=(DPO,),
        retention=Retention(60, _("la réponse à la demande"), EndAction.DELETE),
    ),
    Processing(
        code="administration",
        purpose=_("Journal des actions du support de l'exploitant dans l'administration Django."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.NETWORK_ADMINS, PersonCategory.ACCOUNT_HOLDERS),
        recipients=(SUPPORT,),
        retention=Retention(12, _("l'action"), EndAction.DELETE),
    ),
)


def _sessions_of(subject):
    """Sessions signed in as the subject's account: the account id is inside the session data, so each one
    is decoded (the table holds the live sessions and those `clearsessions` did not purge yet)."""
    if subject.user is None:
        return None
    from django.contrib.sessions.models import Session

    user_id = str(subject.user.pk)
    keys = [
        session.session_key
        for session in Session.objects.iterator(chunk_size=500)
        if str(session.get_decoded().get("_auth_user_id", "")) == user_id
    ]
    return Q(session_key__in=keys)


def _audit_about(subject):
    """Events whose target is the subject's account or membership (who viewed or changed their file)."""
    condition = None
    if subject.user is not None:
        condition = Q(target_type=subject.user._meta.label_lower, target_id=str(subject.user.pk))
    if subject.member is not None:
        about_member = Q(target_type=subject.member._meta.label_lower, target_id=str(subject.member.pk))
        condition = about_member if condition is None else condition | about_member
    return condition


def _admin_log_about(subject):
    if subject.user is None:
        return None
    from django.contrib.contenttypes.models import ContentType

    return Q(content_type=ContentType.objects.get_for_model(subject.user), object_id=str(subject.user.pk))


def _attempts_of(subject):
    names = [n for n in (subject.user.get_username() if subject.user is not None else "", subject.email) if n]
    return Q(username__in=names) if names else None


declare(
    "privacy.AuditEvent",
    "audit",
    personal=["target_label", "changes"],
    actors=["actor", "actor_label", "ip_address"],
    by_user=["actor"],
    subject=_audit_about,
    categories=[DataCategory.TRACE, DataCategory.CONNECTION, DataCategory.FREE_TEXT],
    not_personal={"target_id": "the id of the record, not an identifier of the person by itself"},
    retention_date="at",
)
declare(
    "sessions.Session",
    "sessions",
    personal=["expire_date"],
    secret=["session_key", "session_data"],  # the key is a credential; the data holds the account's hash
    subject=_sessions_of,
    categories=[DataCategory.CONNECTION],
    retention_date="expire_date",
)
declare(
    "admin.LogEntry",
    "administration",
    personal=["object_repr", "change_message"],
    actors=["user"],
    by_user=["user"],
    subject=_admin_log_about,
    categories=[DataCategory.TRACE, DataCategory.CONNECTION, DataCategory.FREE_TEXT],
    retention_date="action_time",
)
declare(
    "django_tasks_database.DBTaskResult",
    "outgoing_mail",
    # send_email's arguments: the recipients' addresses and the message; a failure's traceback may quote them.
    personal=["args_kwargs", "return_value", "traceback"],
    by_email=["args_kwargs"],
    categories=[DataCategory.CONTACT, DataCategory.FREE_TEXT],
    not_personal={
        "queue_name": "the name of a task queue",
        "backend_name": "the name of a task backend",
    },
    retention_date="enqueued_at",
)
for axes_model, axes_extra in (
    ("axes.AccessAttempt", ["get_data", "post_data"]),  # what the login form sent (passwords masked)
    ("axes.AccessFailureLog", []),
    ("axes.AccessLog", []),
):
    declare(
        axes_model,
        "login_protection",
        personal=["username", "ip_address", "user_agent", *axes_extra],
        subject=_attempts_of,
        categories=[DataCategory.CONNECTION],
        retention_date="attempt_time",
    )
# Second factors of the staff's accounts (django-otp): the secret key is never exported.
declare(
    "otp_totp.TOTPDevice",
    "accounts",
    personal=["user", "last_used_at"],
    secret=["key"],
    by_user=["user"],
    categories=[DataCategory.ACCOUNT],
    not_personal={"name": "the label of the device (« default »)"},
    retention_date="user__last_login",
)
declare(
    "otp_static.StaticDevice",
    "accounts",
    personal=["user", "last_used_at"],
    by_user=["user"],
    categories=[DataCategory.ACCOUNT],
    not_personal={"name": "the label of the device (« backup »)"},
    retention_date="user__last_login",
)
declare(
    "auth.Permission",
    not_personal={"name": "the name of a permission", "codename": "the code of a permission"},
)
declare("auth.Group", not_personal={"name": "the name of a group of permissions (a role)"})
declare("contenttypes.ContentType", not_personal={"model": "the name of a model"})

# The reference geography: public names of territories.
for territory_model in ("territory.Region", "territory.Department", "territory.Epci"):
    declare(territory_model, not_personal={"name": "the name of a territory"})
declare(
    "territory.Commune",
    not_personal={
        "name": "the name of a commune",
        "search_name": "the commune's name, normalised for search",
    },
)
declare("territory.MunicipalArrondissement", not_personal={"name": "the name of a municipal arrondissement"})
