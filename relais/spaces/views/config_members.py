"""The team's pages for the members of a place: the list with their dates, adding a member (an account known
to the place, or a person without account: a name and a contact), changing one, ending a membership.

Managers and staff, as `members/apps.py` declares (staff may add and change, not delete: a membership is
ended, never erased here). Each opening of a member's page, each creation and change is written to the
audit trail, as the admin does.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.members.models import Member
from relais.privacy.audit import Actor, AuditAction, record

from ..config_forms import EndMembershipForm, MemberForm
from .config import change_audited, config_context, place_for, save_audited

MEMBER_AUDIT = ("place_id", "user_id", "name", "contact", "joined_on", "ends_on")
SHOWN_MEMBERS = 500


def _member_of(place, member_id):
    return get_object_or_404(Member.objects.filter(place=place).select_related("user"), public_id=member_id)


@login_required
def members(request, place_id):
    place = place_for(request, place_id, "members", "member_change")
    today = timezone.now().astimezone(place.timezone).date()
    everyone = Member.objects.filter(place=place).select_related("user")
    current = everyone.filter(joined_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
    ended = everyone.filter(ends_on__lt=today)
    future = everyone.filter(joined_on__gt=today)
    return render(
        request,
        "spaces/config/members.html",
        config_context(
            request,
            place,
            today=today,
            current=list(current.order_by("name", "user__last_name", "id")[:SHOWN_MEMBERS]),
            future=list(future.order_by("joined_on", "id")[:SHOWN_MEMBERS]),
            ended=list(ended.order_by("-ends_on", "id")[:SHOWN_MEMBERS]),
            current_count=current.count(),
            shown=SHOWN_MEMBERS,
        ),
    )


@login_required
def member_new(request, place_id):
    place = place_for(request, place_id, "members")
    form = MemberForm(request.POST or None, place=place)
    if request.method == "POST" and form.is_valid():
        member = save_audited(request, form, place, MEMBER_AUDIT, created_by=request.user)
        messages.success(request, _("Adhérent enregistré : %(name)s.") % {"name": member.display_name})
        return redirect("spaces:config-members", place.pk)
    return render(
        request,
        "spaces/config/form.html",
        config_context(
            request,
            place,
            form=form,
            title=_("Nouvel adhérent — %(place)s") % {"place": place.name},
            intro=_(
                "Une personne déjà connue du lieu se retrouve par l'identifiant ou l'adresse e-mail de son "
                "compte. Une personne sans compte : son nom et un téléphone ou un e-mail ; l'équipe réserve "
                "alors pour elle."
            ),
            back_url=reverse("spaces:config-members", args=[place.pk]),
            back_text=_("Retour aux adhérents"),
        ),
    )


@login_required
def member_edit(request, place_id, member_id):
    place = place_for(request, place_id, "member_change")
    member = _member_of(place, member_id)
    form = MemberForm(request.POST or None, instance=member, place=place)
    if request.method == "POST" and form.is_valid():
        save_audited(request, form, place, MEMBER_AUDIT)
        messages.success(request, _("Adhérent enregistré : %(name)s.") % {"name": member.display_name})
        return redirect("spaces:config-members", place.pk)
    if request.method == "GET":
        record(Actor.from_request(request), AuditAction.VIEW, member, place=place)
    return _member_page(
        request, place, Member.objects.get(pk=member.pk), form, EndMembershipForm(prefix="fin")
    )


def _member_page(request, place, member, form, end_form, status=200):
    return render(
        request,
        "spaces/config/member.html",
        config_context(request, place, member=member, form=form, end_form=end_form),
        status=status,
    )


@login_required
@require_POST
def member_end(request, place_id, member_id):
    place = place_for(request, place_id, "member_change")
    member = _member_of(place, member_id)
    end_form = EndMembershipForm(request.POST, prefix="fin")
    if end_form.is_valid():
        try:
            change_audited(request, member, place, MEMBER_AUDIT, ends_on=end_form.cleaned_data["ends_on"])
        except ValidationError as exc:
            for message in exc.message_dict.get("ends_on", exc.messages):
                end_form.add_error("ends_on", message)
        else:
            messages.success(
                request,
                _("Adhésion de %(name)s terminée le %(date)s.")
                % {"name": member.display_name, "date": member.ends_on.strftime("%d/%m/%Y")},
            )
            return redirect("spaces:config-members", place.pk)
    member = Member.objects.select_related("user").get(pk=member.pk)
    return _member_page(request, place, member, MemberForm(instance=member, place=place), end_form)
