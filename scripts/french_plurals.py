"""Complete the French catalog that `makemessages -l fr` writes (`make messages` runs this after it).

French is the language the messages are written in, so no message needs translating — except the plural
ones: without a French catalog, gettext applies the English rule and writes « 0 lieux ». Here every plural
entry gets its own two forms (French counts 0 and 1 as singular: `plural=(n > 1)`), the other entries stay
empty (their text is the source), and the header names the language.

    python scripts/french_plurals.py relais/locale/fr/LC_MESSAGES/django.po
"""

import sys
from pathlib import Path


def _strings(lines, start):
    """The quoted lines of the keyword at `start` (its own line and the continuation lines)."""
    keyword, first = lines[start].split(" ", 1)
    strings, i = [first], start + 1
    while i < len(lines) and lines[i].startswith('"'):
        strings.append(lines[i])
        i += 1
    return strings, i


def complete_entry(entry):
    lines = entry.split("\n")
    keys = [line.split(" ", 1)[0] for line in lines]
    if "msgid_plural" not in keys:
        return entry
    one, _end = _strings(lines, keys.index("msgid"))
    many, _end = _strings(lines, keys.index("msgid_plural"))
    # A fuzzy match of an earlier run would not be compiled: the forms written here are exact.
    head = [line for line in lines[: keys.index("msgstr[0]")] if not line.startswith("#|")]
    head = [
        ", ".join(f for f in line.split(", ") if f != "fuzzy") if line.startswith("#,") else line
        for line in head
    ]
    head = [line for line in head if line != "#"]
    return "\n".join([*head, "msgstr[0] " + "\n".join(one), "msgstr[1] " + "\n".join(many)])


def complete(text):
    header, *entries = text.strip("\n").split("\n\n")
    header = "\n".join(
        '"Plural-Forms: nplurals=2; plural=(n > 1);\\n"'
        if line.startswith('"Plural-Forms:')
        else '"Language: fr\\n"'
        if line == '"Language: \\n"'
        else line
        for line in header.split("\n")
        if line != "#, fuzzy"
    )
    return "\n\n".join([header, *(complete_entry(e) for e in entries)]) + "\n"


if __name__ == "__main__":
    path = Path(sys.argv[1])
    path.write_text(complete(path.read_text(encoding="utf-8")), encoding="utf-8")
