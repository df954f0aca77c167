"""Engine-native, consistent database dumps and their restore: SQLite through its online backup API,
PostgreSQL through `pg_dump --format=custom` taken in one exported snapshot, within which the row counts
of the manifest are read too."""

import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import contextmanager

from django.db import connections
from django.utils.translation import gettext as _

from .backup_crypto import BackupError

SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.pgdump"


def engine_of(connection):
    return connection.vendor  # "sqlite" or "postgresql"


def dump_file_name(engine):
    return {"sqlite": SQLITE_FILE, "postgresql": POSTGRES_FILE}[engine]


def row_counts(cursor, introspection):
    """{table: rows} of every table the connection sees (Django's and any other)."""
    tables = sorted(introspection.table_names(cursor))
    quote = introspection.connection.ops.quote_name
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _require_supported(connection):
    if engine_of(connection) not in ("sqlite", "postgresql"):
        raise BackupError(
            _("Les sauvegardes ne savent traiter que SQLite et PostgreSQL (moteur configuré : %(engine)s).")
            % {"engine": connection.vendor}
        )


# --- SQLite ---------------------------------------------------------------------------------------------


def _sqlite_dump(connection, path):
    connection.ensure_connection()
    target = sqlite3.connect(path)
    try:
        # One step (pages=-1): the copy is one read transaction, consistent while others keep writing.
        connection.connection.backup(target)
        # One self-contained file, whatever the journal mode of the live database (WAL).
        target.execute("PRAGMA journal_mode=DELETE")
        cursor = target.cursor()
        tables = [
            name
            for (name,) in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY "
                "name"
            )
        ]
        counts = {}
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            counts[table] = cursor.execute(f"SELECT COUNT(*) FROM {quoted}").fetchone()[0]
    finally:
        target.close()
    return {"sqlite_version": sqlite3.sqlite_version}, counts


def _sqlite_restore(connection, path):
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        # Replaces every page of the live database in one write transaction: no half-restored file.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


# --- PostgreSQL -------------------------------------------------------------------------------------------


def _client_major(program):
    path = shutil.which(program)
    if path is None:
        raise BackupError(
            _(
                "Le programme %(program)s est introuvable : installez les outils clients de PostgreSQL "
                "(paquet postgresql-client) de la même version que le serveur, ou plus récente."
            )
            % {"program": program}
        )
    output = subprocess.run([path, "--version"], capture_output=True, text=True, check=True).stdout
    match = re.search(r"(\d+)(?:\.(\d+))?", output)
    return path, int(match.group(1)), output.strip()


def _server_major(connection):
    return connection.pg_version // 10000


def _pg_environment(connection):
    """libpq variables for the configured database: the password never appears on a command line."""
    settings = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
    ):
        if settings.get(key):
            env[variable] = str(settings[key])
    env["PGDATABASE"] = settings["NAME"]
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if settings.get("OPTIONS", {}).get(option):
            env[variable] = str(settings["OPTIONS"][option])
    return env


def _run(command, env, what):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(
            _("%(what)s a échoué : %(error)s") % {"what": what, "error": result.stderr.strip()[-2000:]}
        )


def _postgres_dump(connection, path):
    program, client, version = _client_major("pg_dump")
    server = _server_major(connection)
    if client < server:
        raise BackupError(
            _(
                "pg_dump est en version %(client)s, plus ancienne que le serveur PostgreSQL (%(server)s) : "
                "installez les outils clients de PostgreSQL %(server)s ou plus récents."
            )
            % {"client": client, "server": server}
        )
    # A connection of our own, whose exported snapshot pg_dump shares: the dump and the row counts of the
    # manifest see the same committed state, however the application keeps writing meanwhile.
    snapshot_holder = connections.create_connection(connection.alias)
    try:
        snapshot_holder.ensure_connection()
        snapshot_holder.set_autocommit(False)
        with snapshot_holder.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(cursor, snapshot_holder.introspection)
            command = [program, "--format=custom", f"--snapshot={snapshot}", f"--file={path}"]
            _run(command, _pg_environment(connection), "pg_dump")
        snapshot_holder.rollback()
    finally:
        snapshot_holder.close()
    return {"pg_dump": version, "server_major": server}, counts


@contextmanager
def _closed_django_connection(connection):
    connection.close()
    try:
        yield
    finally:
        connection.close()


def _postgres_restore(connection, path, manifest):
    program, client, version = _client_major("pg_restore")
    made_by = re.search(r"(\d+)", manifest["database"].get("pg_dump", "0"))
    if made_by and client < int(made_by.group(1)):
        raise BackupError(
            _(
                "pg_restore est en version %(client)s, plus ancienne que le pg_dump qui a fait la sauvegarde "
                "(%(dump)s) : installez des outils clients de PostgreSQL plus récents."
            )
            % {"client": client, "dump": made_by.group(1)}
        )
    psql, _major, _version = _client_major("psql")
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    env = _pg_environment(connection)
    # One transaction replaces the whole content (every table dropped, then the dump's): if anything fails,
    # psql stops and the database stays as it was. pg_restore writes the dump as SQL for psql to run.
    command = [psql, "--no-psqlrc", "--quiet", "--single-transaction", "--set=ON_ERROR_STOP=1"]
    command += ["--dbname", connection.settings_dict["NAME"]]
    if tables:
        quote = connection.ops.quote_name
        command += ["--command", "DROP TABLE " + ", ".join(quote(t) for t in tables) + " CASCADE"]
    command += ["--file", "-"]
    with _closed_django_connection(connection), tempfile.TemporaryFile() as producer_errors:
        producer = subprocess.Popen(
            [program, "--no-owner", "--no-privileges", "--file=-", path],
            env=env,
            stdout=subprocess.PIPE,
            stderr=producer_errors,
        )
        try:
            consumer = subprocess.run(command, stdin=producer.stdout, env=env, capture_output=True, text=True)
        finally:
            producer.stdout.close()
            producer.wait()
        producer_errors.seek(0)
        for what, code, error in (
            ("psql", consumer.returncode, consumer.stderr),
            ("pg_restore", producer.returncode, producer_errors.read().decode(errors="replace")),
        ):
            if code != 0:
                raise BackupError(
                    _("%(what)s a échoué : %(error)s") % {"what": what, "error": error.strip()[-2000:]}
                )


def dump_database(connection, path):
    """Write the consistent dump to `path`: (engine details, {table: rows}) for the manifest."""
    _require_supported(connection)
    if engine_of(connection) == "sqlite":
        return _sqlite_dump(connection, path)
    return _postgres_dump(connection, path)


def restore_database(connection, path, manifest):
    """Replace the whole content of the configured database by the dump at `path`."""
    _require_supported(connection)
    if engine_of(connection) == "sqlite":
        _sqlite_restore(connection, path)
    else:
        _postgres_restore(connection, path, manifest)


def live_row_counts(connection):
    with connection.cursor() as cursor:
        return row_counts(cursor, connection.introspection)
