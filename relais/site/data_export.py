"""« Télécharger mes données » (/comptes/mes-donnees/): a person with an account downloads what the instance
holds about them (relais/privacy/subject_export.py), and the download is recorded in the audit trail."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from relais.privacy import subject_export
from relais.privacy.audit import Actor, AuditAction, record


@login_required
@require_http_methods(["GET", "POST"])
def my_data(request):
    """Only for the signed-in person, about their own account: there is no one else's data to ask for here
    (a person without an account asks the place's DPO)."""
    if request.method == "GET":
        return render(request, "site/my_data.html")
    now = timezone.now()
    exports = subject_export.collect(user=request.user)
    content = subject_export.build_zip(user=request.user, now=now, exports=exports)
    record(
        Actor.from_request(request),
        AuditAction.VIEW,
        request.user,
        changes={"export": [None, sorted(e.processing.code for e in exports)]},
    )
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = (
        f'attachment; filename="mes-donnees-{timezone.localdate(now):%Y-%m-%d}.zip"'
    )
    return response
