"""Reading tabular files the way people send them: UTF-8 or Windows-1252, `;` or `,`, gzipped or not."""

import csv
import gzip
import io
import json
from pathlib import Path

from relais.core.errors import DomainError

MAX_BYTES = 200 * 1024 * 1024  # beyond this, an import is refused (the national export is ~30 MB)
MAX_ROWS = 500_000


def read_bytes(path):
    path = Path(path)
    if not path.exists():
        raise DomainError(f"fichier introuvable : {path}.", field="fichier")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise DomainError(
            f"fichier trop volumineux : {size / 1e6:.0f} Mo (au plus {MAX_BYTES / 1e6:.0f} Mo).",
            field="fichier",
        )
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise DomainError(f"archive gzip illisible : {exc}.", field="fichier") from None
        if len(raw) > MAX_BYTES:
            raise DomainError("fichier décompressé trop volumineux.", field="fichier")
    if not raw.strip():
        raise DomainError("le fichier est vide.", field="fichier")
    return raw


def decode(raw):
    """Text of the file, and the encoding found (UTF-8 with or without BOM, else Windows-1252)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8"), "utf-8-sig"
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        line = raw[: utf8_error.start].count(b"\n") + 1
        raise DomainError(
            f"encodage non reconnu (ni UTF-8 ni Windows-1252) : octet invalide ligne {line}.", field="fichier"
        ) from None


def sniff_delimiter(header_line):
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


class Table:
    """Rows of a CSV file as dicts, each with the line number where its record starts."""

    def __init__(self, text, encoding):
        self.encoding = encoding
        first_line = text.split("\n", 1)[0]
        self.delimiter = sniff_delimiter(first_line)
        self._text = text
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        try:
            header = next(reader)
        except StopIteration:
            raise DomainError("le fichier est vide.", field="fichier") from None
        self.header = [h.strip().lstrip("\ufeff") for h in header]
        duplicated = {h for h in self.header if self.header.count(h) > 1 and h}
        if duplicated:
            raise DomainError(
                f"colonnes en double dans l'en-tête : {', '.join(sorted(duplicated))}.", field="en-tête"
            )

    def __iter__(self):
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self.delimiter)
        next(reader)
        start = reader.line_num + 1
        for count, values in enumerate(reader, start=1):
            if count > MAX_ROWS:
                raise DomainError(f"trop de lignes : au plus {MAX_ROWS}.", field="fichier")
            line, start = start, reader.line_num + 1
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(self.header):
                yield (
                    line,
                    None,
                    (
                        f"{len(values)} valeurs pour {len(self.header)} colonnes "
                        f"(séparateur « {self.delimiter} » ; guillemet non fermé ?)"
                    ),
                )
                continue
            yield line, {h: v.strip() for h, v in zip(self.header, values, strict=True)}, None

    def require(self, columns, fmt):
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise DomainError(
                f"colonnes obligatoires absentes pour le format {fmt} : {', '.join(missing)} "
                f"(colonnes lues : {', '.join(self.header[:12])}{'…' if len(self.header) > 12 else ''}).",
                field="en-tête",
            )


def read_table(path):
    text, encoding = decode(read_bytes(path))
    return Table(text, encoding)


def read_json(path):
    text, _ = decode(read_bytes(path))
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DomainError(
            f"JSON invalide ligne {exc.lineno}, colonne {exc.colno} : {exc.msg}.", field="fichier"
        ) from None
