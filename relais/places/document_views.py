"""The "Logo et documents" page of a place (/lieux/<uuid>/documents/) and its forms.

Who: the logo is changed by those who edit the registry entry (the place's managers, network admins); the
documents are listed, added and deleted by the place's team (manager, staff). Anyone else: 404. The checks
and storage are in `places/documents.py` and `relais/core/uploads.py`.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.core.forms import add_domain_error
from relais.privacy.audit import Actor

from . import documents, tenancy
from .document_models import DocumentVisibility, PlaceDocument
from .models import Place


class LogoForm(forms.Form):
    logo = forms.FileField(
        label=gettext_lazy("Nouveau logo"),
        help_text=gettext_lazy("Image PNG, JPEG ou WebP, 2 Mo au plus."),
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
    )


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=gettext_lazy("Titre"),
        max_length=documents.TITLE_MAX,
        help_text=gettext_lazy("Par exemple « Règlement intérieur » ou « Tarifs 2027 »."),
    )
    visibility = forms.ChoiceField(
        label=gettext_lazy("Qui peut le voir"),
        choices=DocumentVisibility.choices,
        initial=DocumentVisibility.TEAM,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        help_text=gettext_lazy("PDF, ou image PNG, JPEG ou WebP, 10 Mo au plus."),
        widget=forms.FileInput(attrs={"accept": "application/pdf,image/png,image/jpeg,image/webp"}),
    )


def _access(user, place_id):
    """(place, may change the logo, may handle the documents); 404 for whoever may do neither."""
    place = Place.objects.filter(pk=place_id).first()
    if place is None:
        raise Http404
    can_logo = tenancy.editable_places(user).filter(pk=place.pk).exists()
    can_documents = tenancy.works_for(user, place)
    if not (can_logo or can_documents):
        raise Http404
    return place, can_logo, can_documents


def _page(request, place, can_logo, can_documents, *, logo_form=None, document_form=None):
    context = {
        "place": place,
        "can_logo": can_logo,
        "can_documents": can_documents,
        "logo_form": logo_form or LogoForm(),
        "document_form": document_form or DocumentForm(),
        "documents": PlaceDocument.objects.filter(place=place) if can_documents else [],
    }
    return render(request, "places/place_documents.html", context)


@login_required
def place_documents(request, place_id):
    """GET: the page; POST: add a document (the place's team)."""
    place, can_logo, can_documents = _access(request.user, place_id)
    if request.method != "POST":
        return _page(request, place, can_logo, can_documents)
    if not can_documents:
        raise Http404
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            document = documents.add_document(
                place,
                title=form.cleaned_data["title"],
                visibility=form.cleaned_data["visibility"],
                upload=form.cleaned_data["file"],
                actor=Actor.from_request(request),
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(
                request, _("Le document « %(title)s » est enregistré.") % {"title": document.title}
            )
            return redirect("places:documents", place_id=place.pk)
    return _page(request, place, can_logo, can_documents, document_form=form)


@login_required
@require_POST
def place_logo(request, place_id):
    """Replace the logo (managers of the place, network admins)."""
    place, can_logo, can_documents = _access(request.user, place_id)
    if not can_logo:
        raise Http404
    form = LogoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            documents.set_logo(place, form.cleaned_data["logo"], Actor.from_request(request))
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("Le logo du lieu est enregistré."))
            return redirect("places:documents", place_id=place.pk)
    return _page(request, place, can_logo, can_documents, logo_form=form)


@login_required
@require_POST
def place_logo_remove(request, place_id):
    place, can_logo, _can_documents = _access(request.user, place_id)
    if not can_logo:
        raise Http404
    documents.remove_logo(place, Actor.from_request(request))
    messages.success(request, _("Le logo du lieu est retiré."))
    return redirect("places:documents", place_id=place.pk)


@login_required
@require_POST
def place_document_delete(request, place_id, document_id):
    """Delete one of the place's documents (its team); a document of another place is a 404."""
    document = tenancy.get_for_team_or_404(PlaceDocument, request.user, pk=document_id, place_id=place_id)
    title = document.title
    documents.delete_document(document, Actor.from_request(request))
    messages.success(request, _("Le document « %(title)s » est supprimé.") % {"title": title})
    return redirect("places:documents", place_id=place_id)
