"""`{% qr_svg url label %}`: a QR code drawn by Relais itself (segno), as inline SVG — no outside service."""

import segno
from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def qr_svg(data, label=""):
    """The QR code of `data` as an inline <svg> image named `label` (its text alternative)."""
    if not data:
        return ""
    code = segno.make(str(data), error="m", micro=False)
    svg = code.svg_inline(
        scale=4, border=2, dark="#000000", light="#ffffff", svgclass="qr-code", omitsize=True
    )
    name = escape(label or data)
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{name}" ', 1)
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the label is escaped
