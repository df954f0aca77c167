"""The encrypted container of a backup: a streamed, chunked AES-256-GCM format.

Layout (all integers big-endian)::

    header  = b"RELAISBK" | version (1 byte) | key id (8 bytes) | chunk size (4 bytes) | file id (16 bytes)
    chunk   = final flag (1 byte) | ciphertext length (4 bytes) | nonce (12 bytes) | ciphertext and tag

Each chunk is encrypted with a fresh random nonce; its associated data is the whole header (with its random
file id), the chunk's index and its final flag, so that chunks cannot be reordered, dropped or spliced in
from another backup made with the same key, and a file cut short (no chunk flagged final) or with bytes after
its final chunk is refused. Memory stays bounded by one chunk whatever the size of the backup (Fernet would
hold the whole token in memory).

The key id (a hash of the key, not the key) lets a restore with another key say so before decrypting.
"""

import base64
import binascii
import hashlib
import os
import struct

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.utils.translation import gettext as _

from relais.core.errors import DomainError

MAGIC = b"RELAISBK"
VERSION = 1
KEY_ENV = "RELAIS_BACKUP_KEY"
CHUNK_SIZE = 1024 * 1024
_HEADER = struct.Struct(">8sB8sI16s")
HEADER_SIZE = _HEADER.size
_CHUNK_HEAD = struct.Struct(">BI12s")
_TAG = 16


class BackupError(DomainError):
    """A backup cannot be written, read or restored; the message says why and what to do."""


def generate_key():
    """A new key, as the text to put in RELAIS_BACKUP_KEY: 32 random bytes in base64."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


def parse_key(text):
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        try:
            key = base64.urlsafe_b64decode(text.strip())
        except (binascii.Error, ValueError):
            key = b""
    if len(key) != 32:
        raise BackupError(
            _(
                "La variable %(name)s doit contenir 32 octets aléatoires en base64 "
                "(`manage.py backup --generate-key` en produit une)."
            )
            % {"name": KEY_ENV},
            field=KEY_ENV,
        )
    return key


def key_from_environment(environ=None):
    """The backup key given by the environment (never by a file stored with the backups)."""
    text = (os.environ if environ is None else environ).get(KEY_ENV, "")
    if not text.strip():
        raise BackupError(
            _(
                "La variable d'environnement %(name)s n'est pas définie : elle porte la clé de chiffrement "
                "des "
                "sauvegardes (`manage.py backup --generate-key` en produit une)."
            )
            % {"name": KEY_ENV},
            field=KEY_ENV,
        )
    return parse_key(text)


def key_id(key):
    return hashlib.sha256(b"relais-backup-key-id\0" + key).digest()[:8]


def _associated_data(header, index, final):
    return header + struct.pack(">QB", index, final)


class EncryptingWriter:
    """A write-only binary file object: what is written to it reaches `raw` encrypted, chunk by chunk.
    `close()` writes the final chunk (and must be called: without it the file reads as truncated)."""

    def __init__(self, raw, key, chunk_size=CHUNK_SIZE):
        self.raw = raw
        self.aead = AESGCM(key)
        self.chunk_size = chunk_size
        self.header = _HEADER.pack(MAGIC, VERSION, key_id(key), chunk_size, os.urandom(16))
        self.raw.write(self.header)
        self.buffer = bytearray()
        self.index = 0
        self.closed = False

    def write(self, data):
        self.buffer += data
        while len(self.buffer) > self.chunk_size:
            self._emit(bytes(self.buffer[: self.chunk_size]), final=0)
            del self.buffer[: self.chunk_size]
        return len(data)

    def _emit(self, plaintext, final):
        nonce = os.urandom(12)
        sealed = self.aead.encrypt(nonce, plaintext, _associated_data(self.header, self.index, final))
        self.raw.write(_CHUNK_HEAD.pack(final, len(sealed), nonce))
        self.raw.write(sealed)
        self.index += 1

    def flush(self):
        pass

    def close(self):
        if not self.closed:
            self._emit(bytes(self.buffer), final=1)
            self.buffer.clear()
            self.closed = True


def read_header(raw):
    """(key id, chunk size, header bytes) of an encrypted backup, or a French error if it is not one."""
    header = raw.read(_HEADER.size)
    if len(header) < _HEADER.size:
        raise BackupError(_("Ce fichier n'est pas une sauvegarde Relais (en-tête absent ou incomplet)."))
    magic, version, kid, chunk_size, _file_id = _HEADER.unpack(header)
    if magic != MAGIC:
        raise BackupError(_("Ce fichier n'est pas une sauvegarde Relais chiffrée."))
    if version != VERSION:
        raise BackupError(
            _("Format de sauvegarde %(version)s inconnu de cette version de Relais.") % {"version": version}
        )
    return kid, chunk_size, header


class DecryptingReader:
    """A read-only binary file object over an encrypted backup: each chunk is authenticated before a byte
    of it is returned; a wrong key, a changed byte, a missing or moved chunk raise BackupError."""

    def __init__(self, raw, key):
        self.raw = raw
        kid, self.chunk_size, self.header = read_header(raw)
        if kid != key_id(key):
            raise BackupError(
                _(
                    "Cette sauvegarde a été chiffrée avec une autre clé (clé %(found)s, clé fournie "
                    "%(given)s) : "
                    "définissez %(name)s avec la clé en usage le jour de la sauvegarde."
                )
                % {"found": kid.hex(), "given": key_id(key).hex(), "name": KEY_ENV},
                field=KEY_ENV,
            )
        self.aead = AESGCM(key)
        self.index = 0
        self.pending = b""
        self.done = False

    def _next_chunk(self):
        head = self.raw.read(_CHUNK_HEAD.size)
        if len(head) < _CHUNK_HEAD.size:
            raise BackupError(_("Sauvegarde tronquée : la fin du fichier manque."))
        final, length, nonce = _CHUNK_HEAD.unpack(head)
        if final not in (0, 1) or not _TAG <= length <= self.chunk_size + _TAG:
            raise BackupError(_("Sauvegarde altérée : bloc %(index)s illisible.") % {"index": self.index})
        sealed = self.raw.read(length)
        if len(sealed) < length:
            raise BackupError(_("Sauvegarde tronquée : la fin du fichier manque."))
        try:
            plaintext = self.aead.decrypt(nonce, sealed, _associated_data(self.header, self.index, final))
        except InvalidTag:
            raise BackupError(
                _("Sauvegarde altérée : le bloc %(index)s ne correspond pas à son empreinte chiffrée.")
                % {"index": self.index}
            ) from None
        self.index += 1
        if final:
            self.done = True
            if self.raw.read(1):
                raise BackupError(_("Sauvegarde altérée : des données suivent la fin de la sauvegarde."))
        return plaintext

    def read(self, size=-1):
        chunks = [self.pending]
        have = len(self.pending)
        while not self.done and (size < 0 or have < size):
            chunk = self._next_chunk()
            chunks.append(chunk)
            have += len(chunk)
        data = b"".join(chunks)
        if size < 0:
            self.pending = b""
            return data
        self.pending = data[size:]
        return data[:size]
