"""Encrypted backups of a whole instance (database and uploaded files), their verification and restore.

A backup is one file: the encrypted stream of `backup_crypto` around a gzipped tar of three members,
`manifest.json` (Relais version, date, engine, migration state per app, rows per table, SHA-256 of the
other members and of each uploaded file), the engine-native dump (`backup_engines`) and `media.tar` (the
files of MEDIA_ROOT). Plaintext only ever exists in a private (0700) temporary directory removed afterwards.

The date of the last successful verification is kept in `verification.json` in the backups directory
(RELAIS_BACKUP_DIR): a file, not a row, so that it survives a restore and names backups the database of
the instance may not know about.
"""

import datetime
import importlib.metadata
import json
import os
import shutil
import tarfile
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from . import backup_engines, backup_media
from .backup_crypto import (
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    key_id,
)

FORMAT = 1
MANIFEST = "manifest.json"
MEDIA = "media.tar"
SUFFIX = ".relaisbak"
VERIFICATION_FILE = "verification.json"
_BLOCK = backup_media.BLOCK
# What `migrate` (contenttypes, permissions, the vocabularies' data migration) and `load_territory` write by
# themselves: rows there do not make an instance "in use" (restoring over them loses nothing, the backup has
# its own copy).
REFERENCE_MODELS = [
    "contenttypes.ContentType",
    "auth.Permission",
    "places.Typology",
    "places.Service",
    "places.Public",
    "places.Label",
    "places.RegistryVersion",  # the places index's cache token, bumped by load_territory too
]
REFERENCE_APPS = ["territory"]


def reference_tables():
    tables = {"django_migrations"} | {apps.get_model(label)._meta.db_table for label in REFERENCE_MODELS}
    for app in REFERENCE_APPS:
        tables |= {model._meta.db_table for model in apps.get_app_config(app).get_models()}
    return tables


def backup_dir():
    return Path(getattr(settings, "RELAIS_BACKUP_DIR", None) or settings.BASE_DIR / "var" / "backups")


def relais_version():
    try:
        return importlib.metadata.version("relais")
    except importlib.metadata.PackageNotFoundError:
        return "inconnue"


@contextmanager
def private_directory():
    """A temporary directory only the current user may enter, removed whatever happens."""
    path = Path(tempfile.mkdtemp(prefix="relais-backup-"))  # mkdtemp creates it 0700
    os.chmod(path, 0o700)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def migration_state(connection):
    """{app: [applied migration names]} recorded in the database."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    state = {}
    for app, name in sorted(loader.applied_migrations):
        state.setdefault(app, []).append(name)
    return state


def create_backup(output=None, *, key, using=DEFAULT_DB_ALIAS, now=None):
    """Write an encrypted backup of the database and MEDIA_ROOT to `output` (a path; by default a dated
    file in the backups directory). Returns (path, manifest)."""
    connection = connections[using]
    now = now or timezone.now()
    if output is None:
        output = backup_dir() / f"relais-{now:%Y%m%d-%H%M%S}{SUFFIX}"
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    media_root = Path(settings.MEDIA_ROOT)
    with private_directory() as work:
        engine = backup_engines.engine_of(connection)
        dump_name = (
            backup_engines.dump_file_name(engine) if engine in ("sqlite", "postgresql") else "database"
        )
        details, counts = backup_engines.dump_database(connection, str(work / dump_name))
        files = backup_media.write_media_tar(media_root, work / MEDIA)
        manifest = {
            "format": FORMAT,
            "relais_version": relais_version(),
            "created_at": now.isoformat(),
            "engine": engine,
            "database": details,
            "migrations": migration_state(connection),
            "row_counts": counts,
            "members": {
                name: {"sha256": backup_media.sha256_of(work / name), "size": (work / name).stat().st_size}
                for name in (dump_name, MEDIA)
            },
            "media_files": files,
            "key_id": key_id(key).hex(),
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True), encoding="utf-8")
        partial = output.with_name(output.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)  # also when an earlier `.partial` was left with other rights
        try:
            with os.fdopen(descriptor, "wb") as raw:
                writer = EncryptingWriter(raw, key)
                with tarfile.open(fileobj=writer, mode="w|gz", format=tarfile.PAX_FORMAT) as archive:
                    for name in (MANIFEST, dump_name, MEDIA):
                        archive.add(work / name, arcname=name, recursive=False)
                writer.close()
            # Only a complete backup gets its final name: a crash leaves a `.partial`, never a short backup.
            os.replace(partial, output)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return output, manifest


@dataclass
class OpenedBackup:
    """A decrypted and checked backup in a private directory."""

    directory: Path
    manifest: dict
    dump: Path
    media: Path


def _extract(path, key, work):
    expected = {MANIFEST, backup_engines.SQLITE_FILE, backup_engines.POSTGRES_FILE, MEDIA}
    try:
        raw = open(path, "rb")  # noqa: SIM115 (closed by the `with` below, once the error is told apart)
    except OSError as error:
        raise BackupError(
            _("Impossible de lire la sauvegarde %(path)s : %(error)s")
            % {"path": path, "error": error.strerror},
            field="FILE",
        ) from None
    with raw:
        reader = DecryptingReader(raw, key)
        try:
            with tarfile.open(fileobj=reader, mode="r|gz") as archive:
                for member in archive:
                    if member.name not in expected or not member.isfile():
                        raise BackupError(
                            _("Sauvegarde invalide : membre inattendu « %(name)s ».") % {"name": member.name}
                        )
                    with archive.extractfile(member) as source, open(work / member.name, "xb") as target:
                        shutil.copyfileobj(source, target, _BLOCK)
        except (tarfile.TarError, EOFError, OSError) as error:
            raise BackupError(
                _("Sauvegarde illisible après déchiffrement : %(error)s") % {"error": error}
            ) from None
        # The tar may end before the encrypted stream does: read to its authenticated final chunk.
        while reader.read(_BLOCK):
            pass


def _check_manifest(work):
    try:
        manifest = json.loads((work / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise BackupError(_("Sauvegarde invalide : manifeste absent ou illisible.")) from None
    if manifest.get("format") != FORMAT:
        raise BackupError(_("Sauvegarde invalide : version de manifeste inconnue."))
    for name, expected in manifest["members"].items():
        member = work / name
        if not member.is_file():
            raise BackupError(_("Sauvegarde incomplète : le membre « %(name)s » manque.") % {"name": name})
        if backup_media.sha256_of(member) != expected["sha256"]:
            raise BackupError(
                _("Sauvegarde altérée : l'empreinte SHA-256 de « %(name)s » ne correspond pas au manifeste.")
                % {"name": name}
            )
    backup_media.check_media_tar(work / MEDIA, manifest["media_files"])
    return manifest


@contextmanager
def opened_backup(path, *, key):
    """Decrypt `path` into a private directory and check the manifest and every checksum; yields an
    OpenedBackup (removed on exit). Raises BackupError, with nothing touched, at the first problem."""
    with private_directory() as work:
        _extract(path, key, work)
        manifest = _check_manifest(work)
        dump = work / backup_engines.dump_file_name(manifest["engine"])
        yield OpenedBackup(directory=work, manifest=manifest, dump=dump, media=work / MEDIA)


def verify_backup(path, *, key, now=None):
    """Decrypt and check a backup without restoring it; record the date in the verification file."""
    with opened_backup(path, key=key) as opened:
        manifest = opened.manifest
    record = {
        "file": str(Path(path).resolve()),
        "verified_at": (now or timezone.now()).isoformat(),
        "backup_created_at": manifest["created_at"],
        "relais_version": manifest["relais_version"],
        "engine": manifest["engine"],
        "key_id": manifest["key_id"],
        "tables": len(manifest["row_counts"]),
        "rows": sum(manifest["row_counts"].values()),
        "files": len(manifest["media_files"]),
    }
    target = backup_dir() / VERIFICATION_FILE
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(target.name + ".tmp")
    temporary.write_text(json.dumps(record, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(temporary, target)
    return record


def last_verification():
    """What the last successful `backup --verify` recorded (a dict with "verified_at"…), or None."""
    try:
        record = json.loads((backup_dir() / VERIFICATION_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    record["verified_at"] = datetime.datetime.fromisoformat(record["verified_at"])
    return record


def instance_contents(using=DEFAULT_DB_ALIAS):
    """{table: rows} of the tables holding the instance's own data, and the uploaded files' count: what a
    restore would overwrite. Empty tables, reference data and migration records are left out."""
    counts = backup_engines.live_row_counts(connections[using])
    reference = reference_tables()
    used = {table: rows for table, rows in counts.items() if rows and table not in reference}
    return used, len(backup_media.media_files(Path(settings.MEDIA_ROOT)))


def _unknown_migrations(manifest):
    """Migrations the backup has applied that this version of Relais does not know (a newer backup)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    return sorted(
        f"{app}.{name}"
        for app, names in manifest["migrations"].items()
        for name in names
        if (app, name) not in known and app in {a for a, _n in known}
    )


@dataclass
class RestoreReport:
    manifest: dict
    counts: dict  # {table: (in the backup, after the restore)}
    files: int
    migrated: bool
    media_kept_aside: Path | None

    @property
    def mismatches(self):
        return {table: pair for table, pair in self.counts.items() if pair[0] != pair[1]}


def restore_backup(path, *, key, force=False, using=DEFAULT_DB_ALIAS, out=None):
    """Restore a backup into the configured database and MEDIA_ROOT. Everything is decrypted and checked
    first; a database or MEDIA_ROOT already in use is refused unless `force`. Runs `migrate` when the
    backup is older than the code. Returns a RestoreReport."""
    connection = connections[using]
    with opened_backup(path, key=key) as opened:
        manifest = opened.manifest
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                _(
                    "Cette sauvegarde vient d'une base %(backup)s et la base configurée est %(here)s : "
                    "restaurez-la sur le même moteur, puis migrez les données si besoin."
                )
                % {"backup": manifest["engine"], "here": connection.vendor}
            )
        unknown = _unknown_migrations(manifest)
        if unknown:
            raise BackupError(
                _(
                    "Cette sauvegarde vient d'une version plus récente de Relais (%(version)s, migration "
                    "%(migration)s inconnue ici) : installez cette version ou une plus récente avant de "
                    "restaurer."
                )
                % {"version": manifest["relais_version"], "migration": unknown[0]}
            )
        used, files = instance_contents(using)
        if (used or files) and not force:
            examples = ", ".join(f"{table} ({rows})" for table, rows in sorted(used.items())[:3])
            raise BackupError(
                _(
                    "L'instance n'est pas vide (%(tables)s table(s) avec des données%(examples)s ; %(files)s "
                    "fichier(s) dans MEDIA_ROOT). La restauration remplace tout : restaurez dans une base "
                    "et un MEDIA_ROOT neufs, ou relancez avec --force pour écraser cette instance."
                )
                % {
                    "tables": len(used),
                    "examples": f" : {examples}" if examples else "",
                    "files": files,
                },
                field="--force",
            )
        if out:
            out(
                _("Sauvegarde vérifiée (%(date)s) : restauration de la base…")
                % {"date": manifest["created_at"]}
            )
        backup_engines.restore_database(connection, str(opened.dump), manifest)
        if out:
            out(_("Restauration des fichiers…"))
        kept = backup_media.restore_media(opened.media, Path(settings.MEDIA_ROOT))
    after = backup_engines.live_row_counts(connection)
    counts = {table: (rows, after.get(table)) for table, rows in manifest["row_counts"].items()}
    executor = MigrationExecutor(connection)
    migrated = bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    if migrated:
        if out:
            out(_("La sauvegarde est plus ancienne que le code : application des migrations…"))
        call_command("migrate", database=using, interactive=False, verbosity=0)
    return RestoreReport(
        manifest=manifest,
        counts=counts,
        files=len(manifest["media_files"]),
        migrated=migrated,
        media_kept_aside=kept,
    )
