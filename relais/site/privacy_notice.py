"""The privacy notice (« Confidentialité »): what the instance does with personal data, read from the
personal-data inventory (`relais.privacy.inventory`) so that it never says less than what the code declares.
A plain page until the DPO's tools generate the full notice from the register."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_safe

from relais.privacy import inventory


def notice_rows():
    """One dict per processing, with every code turned into its French label."""
    rows = []
    for processing in inventory.processings().values():
        retention = processing.retention
        rows.append(
            {
                "code": processing.code,
                "purpose": processing.purpose,
                "legal_basis": inventory.LegalBasis(processing.legal_basis).label,
                "people": [inventory.PersonCategory(code).label for code in processing.people],
                "recipients": list(processing.recipients),
                "retention": retention.duration_label,
                "starts": retention.starts,
                "end": inventory.EndAction(retention.end).label,
                "legal_reference": retention.legal_reference,
                "transfers": list(processing.transfers),
            }
        )
    return rows


@require_safe
def privacy_notice(request):
    """Public: anyone may read what is done with their data, before opening an account."""
    return render(
        request,
        "site/privacy_notice.html",
        {
            "rows": notice_rows(),
            "controller": settings.RELAIS_CONTROLLER_NAME,
            "dpo_contact": settings.RELAIS_DPO_CONTACT,
        },
    )
