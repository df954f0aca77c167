"""Opening an account to book online (a citizen, a coworker): the e-mail address is confirmed by a link
before the account can log in; only a name and that address are asked for. No HTTP here: links are made
absolute by the caller; e-mails leave from a background task after the commit (`core.mail`)."""

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _

from relais.core import mail
from relais.core.errors import DomainError
from relais.privacy.audit import Actor, AuditAction, record


@transaction.atomic
def request_account(*, first_name, last_name, email, password, actor=None):
    """("created" | "pending" | "exists", user) for a sign-up with `email`.

    A new address gets an account, inactive until the address is confirmed (its identifier is the
    address). An address already known is left as it is — a pending account keeps its password, an
    active one is not told apart on the page — so that the page never reveals who has an account: the
    e-mail sent to the address says what to do.
    """
    User = get_user_model()
    email = User.objects.normalize_email(email.strip()).lower()
    known = User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).order_by("pk").first()
    if known is not None:
        # The same work as for a new account (hashing the password is most of it), so that the time taken
        # does not tell either.
        make_password(password)
        # Never opened: the link again. Open, or closed by an administrator after use: "you have one".
        pending = not known.is_active and known.last_login is None
        return ("pending" if pending else "exists"), known
    user = User(username=email, email=email, first_name=first_name.strip(), last_name=last_name.strip())
    user.set_password(password)
    user.is_active = False
    user.save()
    record(actor or Actor(channel="web"), AuditAction.CREATE, user, changes={"email": [None, email]})
    return "created", user


def activation_path(user):
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:activate", args=[uid, default_token_generator.make_token(user)])


def activate(uidb64, token, *, actor=None):
    """(user, newly activated) for a confirmation link; DomainError when the link is wrong or too old."""
    User = get_user_model()
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        raise DomainError(
            _(
                "ce lien de confirmation n'est pas valable (déjà utilisé, incomplet ou trop ancien). "
                "Connectez-vous, ou inscrivez-vous de nouveau."
            ),
            field="token",
            code="invalid",
        )
    if user.is_active:
        return user, False
    if user.last_login is not None:  # closed by an administrator after use: a link does not reopen it
        raise DomainError(
            _("ce compte a été fermé : adressez-vous à l'équipe d'un lieu ou à l'administrateur du site."),
            field="token",
            code="closed",
        )
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(actor or Actor(channel="web"), AuditAction.UPDATE, user, changes={"is_active": [False, True]})
    return user, True


def pending_account(identifier, password):
    """The account not opened yet (its address never confirmed) that these credentials belong to, or None.

    An account closed by an administrator after use (it has logged in before) is not "pending"."""
    User = get_user_model()
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    candidates = User.objects.filter(is_active=False, last_login__isnull=True).filter(
        Q(username__iexact=identifier) | Q(email__iexact=identifier)
    )[:2]
    candidates = list(candidates)
    if len(candidates) == 1:
        return candidates[0] if candidates[0].check_password(password) else None
    make_password(password)  # the same work whether or not such an account exists (timing)
    return None


def pending_user(user_id):
    """The account `user_id` if it is still waiting for its address to be confirmed, else None."""
    if user_id is None:
        return None
    return get_user_model().objects.filter(pk=user_id, is_active=False, last_login__isnull=True).first()


def resend_link(absolute, user_id, next_url=""):
    """Send the confirmation link again to the account `user_id` if it is still pending; True if sent."""
    user = pending_user(user_id)
    if user is None:
        return False
    send_account_mail(absolute, "pending", user, next_url)
    return True


def pending_accounts_of(email):
    User = get_user_model()
    return list(User.objects.filter(is_active=False, last_login__isnull=True, email__iexact=email.strip()))


def send_account_mail(absolute, kind, user, next_url=""):
    """The e-mail about an account: the confirmation link ("created", "pending") or "you already have an
    account" ("exists"). `absolute` turns a path into an address (e.g. request.build_absolute_uri).

    Rendered now, in the language of the page the person used; sent by a background task once the current
    transaction commits (`core.mail.send_later`)."""
    if kind == "exists":
        template = "exists"
        context = {
            "login_link": absolute(reverse("accounts:login")),
            "reset_link": absolute(reverse("accounts:password_reset")),
        }
    else:
        template = "activation"
        link = absolute(activation_path(user))
        if next_url:
            link += "?" + urlencode({"next": next_url})
        context = {"user": user, "link": link}
    subject = render_to_string(f"accounts/email/{template}_subject.txt", context).strip()
    body = render_to_string(f"accounts/email/{template}.txt", context)
    mail.send_later(user.email, subject, body)
