"""The audit trail is a hash chain: each row stores the SHA-256 of its own content and of the previous row's
hash, so that changing, inserting or deleting a row in the database breaks the chain from there on
(`verify` names the first broken row; `manage.py verify_audit` runs it). Rows deleted at the very end leave
a whole chain behind: the last hash, noted elsewhere (`verify_audit` prints it), tells them
(`verify_audit --empreinte`).

The canonical form of a row is a JSON object with sorted keys and no spaces, UTF-8 encoded:
- `at`: the date in UTC, ISO 8601 with microseconds (`2026-12-04T18:33:09.123456+00:00`);
- `actor_label`, `channel`, `action`, `target_type`, `target_id`, `target_label`: text (ids as strings);
- `ip_address`: the address as the database stores it (IPv6 in its compressed form), or null;
- `changes`: the JSON value as read back from the database (object keys as strings), keys sorted;
- `previous_hash`: the previous row's hash (`GENESIS` for the first row).

The two links to other tables (`actor`, `place`) are left out on purpose: they are emptied by the database
when the account or the place is deleted (`on_delete=SET_NULL`, e.g. a place merged into another), which
is not tampering. Who acted stays in the chain as `actor_label`.

Writers are serialised so that two concurrent transactions cannot both append after the same row: on
PostgreSQL a transaction-level advisory lock (`pg_advisory_xact_lock`, released at commit or rollback); on
SQLite the IMMEDIATE transaction mode of the settings already makes writers wait for each other. A unique
index on `previous_hash` makes a fork impossible anyway: the second writer would fail, not fork.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass

from django.db import connections
from django.utils.ipv6 import clean_ipv6_address

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "at",
    "actor_label",
    "channel",
    "ip_address",
    "action",
    "target_type",
    "target_id",
    "target_label",
    "changes",
)
# Any constant 64-bit key shared by every writer (pg_advisory_xact_lock takes a bigint): "relais-audit".
ADVISORY_LOCK_KEY = int.from_bytes(hashlib.sha256(b"relais-audit").digest()[:8], "big", signed=True)


def _utc_iso(value):
    if value.tzinfo is None:  # USE_TZ is on: a naive date is a bug upstream, refuse rather than guess
        raise ValueError("audit dates must be timezone-aware")
    return value.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def _ip_text(value):
    # What GenericIPAddressField stores (its get_prep_value): IPv4 as given, IPv6 in Django's clean form.
    if not value:
        return None
    value = str(value).strip()
    return clean_ipv6_address(value) if ":" in value else value


def canonical(values, previous_hash):
    """The bytes hashed for a row: `values` maps each of CHAINED_FIELDS to the row's value."""
    document = {
        "at": _utc_iso(values["at"]),
        "actor_label": str(values["actor_label"] or ""),
        "channel": str(values["channel"] or ""),
        "ip_address": _ip_text(values["ip_address"]),
        "action": str(values["action"]),
        "target_type": str(values["target_type"]),
        "target_id": str(values["target_id"]),
        "target_label": str(values["target_label"] or ""),
        # Through JSON and back: what the database gives back (tuples become lists, int keys strings).
        "changes": json.loads(json.dumps(values["changes"] if values["changes"] is not None else {})),
        "previous_hash": previous_hash,
    }
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def row_hash(values, previous_hash):
    return hashlib.sha256(canonical(values, previous_hash)).hexdigest()


def values_of(row):
    return {name: getattr(row, name) for name in CHAINED_FIELDS}


def lock_chain(using):
    """Make the other writers wait until this transaction ends. Call inside `transaction.atomic()`."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    # SQLite: the transaction began with BEGIN IMMEDIATE (settings), so it already holds the write lock.


def head(model, using):
    """The hash of the last row of the chain (GENESIS when empty). Call after `lock_chain`."""
    last = model._base_manager.using(using).order_by("-pk").values_list("hash", flat=True).first()
    return last or GENESIS


def seal(rows, previous_hash):
    """Give each row (in order) its `previous_hash` and `hash`; return the hash of the last one."""
    for row in rows:
        row.previous_hash = previous_hash
        row.hash = row_hash(values_of(row), previous_hash)
        previous_hash = row.hash
    return previous_hash


# --- Verifying --------------------------------------------------------------------------------------


CONTENT = "content"  # the row's fields no longer give its hash: the row was changed
LINK = "link"  # the row's previous_hash is not the hash of the row before it: a row was removed or added


@dataclass(frozen=True)
class Break:
    pk: int
    at: datetime.datetime
    kind: str  # CONTENT or LINK


@dataclass(frozen=True)
class Verification:
    verified: int  # rows checked sound before the first break (all of them when the chain is whole)
    broken: Break | None = None
    last_hash: str = GENESIS  # the hash of the last row checked sound: note it to detect a truncation later

    @property
    def ok(self):
        return self.broken is None


def verify(queryset, chunk_size=2000, progress=None):
    """Walk the rows of `queryset` in insertion order, streaming, and stop at the first broken row."""
    expected = GENESIS
    verified = 0
    rows = queryset.order_by("pk").only("pk", "previous_hash", "hash", *CHAINED_FIELDS)
    for row in rows.iterator(chunk_size=chunk_size):
        if row_hash(values_of(row), row.previous_hash) != row.hash:
            return Verification(verified, Break(row.pk, row.at, CONTENT), expected)
        if row.previous_hash != expected:
            return Verification(verified, Break(row.pk, row.at, LINK), expected)
        expected = row.hash
        verified += 1
        if progress is not None:
            progress(verified)
    return Verification(verified, None, expected)
