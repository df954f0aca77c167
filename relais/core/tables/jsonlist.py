"""Reading the objects of a JSON list one at a time (see relais.core.tables)."""

import io
import json
import re

from django.utils.translation import gettext as _

from relais.core.errors import DomainError

from . import reading
from .reading import CHUNK, _checked_path, _open_bytes, detect_encoding

MAX_JSON_ITEM_CHARS = 1024 * 1024  # one object of a JSON list
_WHITESPACE = re.compile(r"[ \t\n\r]*")

LIST_KEYS = ("features", "data", "lieux")


class JsonItems:
    """The objects of a JSON file's list, decoded one at a time (the standard library's decoder, on a
    window of the text). The list is the file itself, or the first of LIST_KEYS in a top-level object;
    `container` says which ("" for a top-level list, None when there is none), `members` holds the
    top-level object's other scalar members (such as GeoJSON's "type"), complete once iterated."""

    def __init__(self, path, *, max_bytes, max_rows, max_item_chars):
        encoding = detect_encoding(path, max_bytes=max_bytes)
        self._bytes = _open_bytes(path, max_bytes)
        self._size = path.stat().st_size
        self._text = io.TextIOWrapper(self._bytes, encoding=encoding)
        self._decoder = json.JSONDecoder()
        self._buf, self._pos, self._eof = "", 0, False
        self._line, self._mark, self._dropped = 1, 0, 0  # line at _mark; characters dropped from _buf
        self.max_rows, self.max_item_chars = max_rows, max_item_chars
        self.container, self.members, self._in_object = None, {}, False
        try:
            self._open_container()
        except DomainError:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self._text.close()

    def progress(self):
        return self._bytes.raw.file.tell(), self._size

    # The text window: _buf[_pos:] is what is left to read.
    def _fill(self):
        if self._eof:
            return False
        self._line_here()
        self._dropped += self._pos
        self._buf, self._pos, self._mark = self._buf[self._pos :], 0, 0
        chunk = self._text.read(CHUNK)
        self._eof = not chunk
        self._buf += chunk
        return bool(chunk)

    def _line_here(self):
        self._line += self._buf.count("\n", self._mark, self._pos)
        self._mark = self._pos
        return self._line

    def _peek(self):
        while True:
            self._pos = _WHITESPACE.match(self._buf, self._pos).end()
            if self._pos < len(self._buf) or not self._fill():
                return self._buf[self._pos : self._pos + 1]

    def _expect(self, characters):
        found = self._peek()
        if not found or found not in characters:
            raise self._error(self._pos)
        self._pos += 1
        return found

    def _value(self):
        self._peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                if len(self._buf) - self._pos >= self.max_item_chars:
                    raise DomainError(
                        _("JSON : l'objet de la ligne %(line)s dépasse %(limit)s caractères.")
                        % {"line": self._line_here(), "limit": self.max_item_chars},
                        field="fichier",
                    ) from None
                if not self._eof:
                    self._fill()
                    continue  # maybe only cut by the window: read on, then decode again
                raise self._error(exc.pos) from None
            if end == len(self._buf) and isinstance(value, (int, float)) and self._fill():
                continue  # a number at the end of the window may go on
            self._pos = end
            return value

    def _error(self, position):
        line = self._line_here() + self._buf.count("\n", self._pos, position)
        return DomainError(
            _(
                "JSON invalide ligne %(line)s (caractère %(offset)s) : virgule, guillemet ou accolade "
                "manquants ?"
            )
            % {"line": line, "offset": self._dropped + position + 1},
            field="fichier",
        )

    def _open_container(self):
        first = self._peek()
        if first == "[":
            self._pos += 1
            self.container = ""
            return
        if first != "{":
            raise DomainError(_("JSON : une liste d'objets est attendue."), field="fichier")
        self._pos += 1
        self._in_object = True
        self._members(first=True, until_list=True)

    def _members(self, *, first, until_list):
        """Read members of the top-level object; stop at the first list of LIST_KEYS when asked."""
        while True:
            if self._peek() == "}":
                self._pos += 1
                self._in_object = False
                return
            if not first:
                self._expect(",")
            first = False
            key = self._value()
            if not isinstance(key, str):
                raise self._error(self._pos)
            self._expect(":")
            if until_list and key in LIST_KEYS and self.container is None and self._peek() == "[":
                self._pos += 1
                self.container = key
                return
            value = self._value()
            if value is None or isinstance(value, (str, int, float, bool)):
                self.members[key] = value

    def __iter__(self):
        if self.container is None:
            return
        count = 0
        while self._peek() != "]":
            if count:
                self._expect(",")
                self._peek()
            line = self._line_here()
            item = self._value()
            count += 1
            if count > self.max_rows:
                raise DomainError(
                    _("trop d'objets : au plus %(limit)s.") % {"limit": self.max_rows}, field="fichier"
                )
            yield line, item
        self._pos += 1
        if self._in_object:
            self._members(first=False, until_list=False)
        if self._peek():
            raise self._error(self._pos)


def open_json(path, *, max_bytes=None, max_rows=None, max_item_chars=None):
    """JsonItems to use in a `with` block; file-level problems raise DomainError."""
    max_bytes = reading.MAX_BYTES if max_bytes is None else max_bytes
    return JsonItems(
        _checked_path(path, max_bytes),
        max_bytes=max_bytes,
        max_rows=reading.MAX_ROWS if max_rows is None else max_rows,
        max_item_chars=MAX_JSON_ITEM_CHARS if max_item_chars is None else max_item_chars,
    )
