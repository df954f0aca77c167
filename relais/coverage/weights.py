"""Demand weights other than the population (e.g. people aged 60 and over), read from a CSV file."""

import csv
import re
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError

INSEE_CODE = re.compile(r"^(\d{5}|2[AB]\d{3})$")
MAX_REPORTED_ERRORS = 20


def read_weights(path):
    """Demand weights from a CSV file with a header line `code_insee;weight` (UTF-8, `;` or `,` or tab as
    separator, decimal comma accepted): {code INSEE: weight}. Every bad line is reported with its number in
    one DomainError (the first 20)."""
    path = Path(path)
    lines = _lines(path)
    header = lines[0]
    delimiter = next((d for d in (";", "\t", ",") if d in header), ";")
    reader = csv.reader(lines, delimiter=delimiter)
    columns = [c.strip().lower() for c in next(reader)]
    if "code_insee" not in columns or "weight" not in columns:
        raise DomainError(
            _(
                "%(file)s, ligne 1 : colonnes attendues code_insee et weight (séparées par « ; »), "
                "trouvé : %(found)s."
            )
            % {"file": path.name, "found": ", ".join(columns) or _("rien")},
            field="weights",
        )
    code_at, weight_at = columns.index("code_insee"), columns.index("weight")
    weights, first_line, errors = {}, {}, []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        code = row[code_at].strip().upper() if len(row) > code_at else ""
        raw = row[weight_at].strip() if len(row) > weight_at else ""
        problem = _code_problem(code, first_line)
        if problem is None:
            value, problem = _weight(code, raw)
            if problem is None:
                weights[code] = value
                first_line[code] = number
        if problem:
            errors.append(_("ligne %(number)s : %(problem)s") % {"number": number, "problem": problem})
    if errors:
        raise DomainError(_errors_message(path, errors), field="weights")
    if not weights:
        raise DomainError(
            _("le fichier de poids %(file)s ne contient aucune commune.") % {"file": path.name},
            field="weights",
        )
    return weights


def _lines(path):
    """The lines of the file, or a DomainError saying why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DomainError(
            _("fichier de poids introuvable : %(path)s.") % {"path": path}, field="weights"
        ) from None
    except UnicodeDecodeError:
        raise DomainError(
            _("le fichier de poids %(file)s n'est pas en UTF-8 : enregistrez-le en UTF-8 (CSV UTF-8).")
            % {"file": path.name},
            field="weights",
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise DomainError(
            _(
                "le fichier de poids %(file)s est vide : attendu une ligne d'en-tête code_insee;weight "
                "puis une ligne par commune."
            )
            % {"file": path.name},
            field="weights",
        )
    return lines


def _code_problem(code, first_line):
    """What is wrong with the code INSEE of a line (None when it is usable)."""
    if not code:
        return _("code INSEE manquant")
    if not INSEE_CODE.match(code):
        if re.fullmatch(r"\d{4}", code):
            return _(
                "code INSEE « %(code)s » mal formé : 5 caractères attendus, comme 15014 ou 2A004 "
                "(zéro initial perdu ? essayez 0%(code)s)"
            ) % {"code": code}
        return _("code INSEE « %(code)s » mal formé : 5 caractères attendus, comme 15014 ou 2A004") % {
            "code": code
        }
    if code in first_line:
        return _("code INSEE %(code)s déjà donné ligne %(line)s") % {"code": code, "line": first_line[code]}
    return None


def _weight(code, raw):
    """(value, None) for a readable non-negative weight, else (None, what is wrong)."""
    if not raw:
        return None, _("poids manquant pour %(code)s") % {"code": code}
    number_text = raw.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
    try:
        value = float(number_text)
    except ValueError:
        value = None
    if value is None or not np.isfinite(value):
        return None, _(
            "poids « %(raw)s » illisible pour %(code)s : un nombre est attendu (par exemple 12,5)"
        ) % {
            "raw": raw,
            "code": code,
        }
    if value < 0:
        return None, _("poids négatif (%(raw)s) pour %(code)s") % {"raw": raw, "code": code}
    return value, None


def _errors_message(path, errors):
    shown = errors[:MAX_REPORTED_ERRORS]
    more = len(errors) - len(shown)
    message = ngettext(
        "fichier de poids %(file)s : %(count)s ligne invalide.",
        "fichier de poids %(file)s : %(count)s lignes invalides.",
        len(errors),
    ) % {
        "file": path.name,
        "count": len(errors),
    }
    message += "\n" + "\n".join(shown)
    if more:
        message += "\n" + ngettext("… et %(count)s autre.", "… et %(count)s autres.", more) % {"count": more}
    return message
