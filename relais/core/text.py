"""Text normalisation for searching names the way people type them."""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s\-'’`´‘_.,/()]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}


def fold(text):
    """Lower-case, strip accents and ligatures, turn hyphens, apostrophes and punctuation into spaces.

    >>> fold("Saint-Étienne")
    'saint etienne'
    >>> fold("L'Haÿ-les-Roses")
    'l hay les roses'
    """
    if not text:
        return ""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", stripped.lower()).strip()


def normalize_name(text):
    """`fold` plus the usual abbreviations ("st etienne" → "saint etienne")."""
    words = fold(text).split()
    return " ".join(_ABBREVIATIONS.get(word, word) for word in words)
