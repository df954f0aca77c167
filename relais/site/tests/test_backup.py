"""`manage.py backup` and `manage.py restore`: a backup of the demo (places, members, bookings, audit trail,
uploaded files) restores every row and every file into an empty instance; altered, truncated, foreign and
misused backups are refused before anything is touched."""

import base64
import io
import os
import sqlite3
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command, get_commands
from django.db import connection
from django.utils import timezone

from relais.conftest import BACKUP_PREFIX
from relais.members.models import Member
from relais.places.models import Place, Typology
from relais.privacy.audit import SYSTEM, record
from relais.privacy.models import AuditAction, AuditEvent
from relais.site.backup import instance_contents, last_verification
from relais.site.backup_crypto import (
    HEADER_SIZE,
    KEY_ENV,
    BackupError,
    DecryptingReader,
    EncryptingWriter,
    generate_key,
    key_from_environment,
)
from relais.site.demo import load_demo
from relais.spaces.models import Booking
from relais.territory.models import Commune
from relais.testing import PlaceFactory

postgresql_only = pytest.mark.skipif(
    "postgresql" not in django_settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL's tools only"
)

MEDIA_FILES = {
    "logos/lieu-1.png": bytes(range(256)) * 40,
    "documents/2026/statuts.pdf": b"%PDF-1.7\n" + os.urandom(5000),
    "documents/2026/compte rendu été.txt": "Réunion du conseil : 12 présents.\n".encode(),
}


@pytest.fixture
def key(monkeypatch):
    text = generate_key()
    monkeypatch.setenv(KEY_ENV, text)
    return text


@pytest.fixture
def demo(transactional_db, settings, tmp_path, key):
    """The demo instance (without the real open lists), an audit event and uploaded files under tmp."""
    settings.RELAIS_DATA_DIR = tmp_path / "no-real-lists"
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.RELAIS_BACKUP_DIR = tmp_path / "backups"
    load_demo(out=lambda *args: None)
    place = Place.objects.filter(members__isnull=False).first()
    record(SYSTEM, AuditAction.VIEW, place, place=place)
    for relative, content in MEDIA_FILES.items():
        path = settings.MEDIA_ROOT / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    assert Booking.objects.exists() and Member.objects.exists() and AuditEvent.objects.exists()
    return tmp_path


def back_up(path):
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out)
    return out.getvalue()


def table_rows(raw):
    """{table: sorted rows} of every table a DB-API connection sees."""
    cursor = raw.cursor()
    if isinstance(raw, sqlite3.Connection):
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    else:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
        )
    tables = sorted(name for (name,) in cursor.fetchall())
    rows = {}
    for table in tables:
        cursor.execute(f'SELECT * FROM "{table}"')
        rows[table] = sorted(cursor.fetchall(), key=repr)
    return rows


def pg_connect(name):
    import psycopg

    settings = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        user=settings["USER"] or None,
        password=settings["PASSWORD"] or None,
        autocommit=True,
    )


@pytest.fixture
def empty_instance(transactional_db, tmp_path):
    """(DATABASE_URL, a DB-API connection opener) of a new, empty database: a second SQLite file, or a
    PostgreSQL database created and dropped here."""
    if connection.vendor == "sqlite":
        path = tmp_path / "restored.sqlite3"
        yield (
            f"sqlite:///{path}",
            lambda: sqlite3.connect(path, detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES),
        )
        return
    name = f"test_restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    settings = connection.settings_dict
    credentials = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    url = f"postgres://{credentials}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{name}"
    try:
        yield url, lambda: pg_connect(name)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def source_rows():
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return table_rows(connection.connection)
    with pg_connect(connection.settings_dict["NAME"]) as raw:
        return table_rows(raw)


def manage(*args, database_url, media_root, key):
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "RELAIS_MEDIA_ROOT": str(media_root),
        KEY_ENV: key,
        "RELAIS_TESTING": "1",
        "DEBUG": "0",
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        capture_output=True,
        text=True,
        cwd=django_settings.BASE_DIR,
    )


def test_a_backup_of_the_demo_restores_every_row_and_file_into_an_empty_instance(
    demo, key, empty_instance, settings
):
    archive = demo / "backups" / "demo.relaisbak"
    said = back_up(archive)
    assert "Sauvegarde écrite" in said
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    before = source_rows()
    database_url, open_target = empty_instance
    restored_media = demo / "restored-media"

    done = manage("restore", str(archive), database_url=database_url, media_root=restored_media, key=key)

    assert done.returncode == 0, done.stderr
    assert "Restauration terminée : chaque table correspond au manifeste." in done.stdout
    target = open_target()
    try:
        after = table_rows(target)
    finally:
        target.close()
    assert after.keys() == before.keys()
    for table, rows in before.items():
        assert after[table] == rows, table
    assert after["privacy_auditevent"] and after["spaces_booking"] and after["members_member"]
    assert sorted(
        p.relative_to(restored_media).as_posix() for p in restored_media.rglob("*") if p.is_file()
    ) == (sorted(MEDIA_FILES))
    for relative, content in MEDIA_FILES.items():
        assert (restored_media / relative).read_bytes() == content
    if "verify_audit" in get_commands():  # the audit hash chain, once the privacy app has it
        checked = manage("verify_audit", database_url=database_url, media_root=restored_media, key=key)
        assert checked.returncode == 0, checked.stdout + checked.stderr


def test_verify_checks_a_backup_without_restoring_it_and_records_the_date(demo):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    assert last_verification() is None
    out = io.StringIO()

    call_command("backup", verify=str(archive), stdout=out)

    assert "Sauvegarde valide" in out.getvalue()
    verified = last_verification()
    assert verified["file"] == str(archive.resolve())
    assert verified["files"] == len(MEDIA_FILES)
    assert verified["rows"] > 0


def flip_byte(path, offset):
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("where", ["header", "middle", "end"])
def test_a_backup_with_one_byte_changed_is_refused(demo, where):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    size = archive.stat().st_size
    flip_byte(archive, {"header": 12, "middle": size // 2, "end": size - 1}[where])

    with pytest.raises(CommandError, match="altérée|autre clé"):
        call_command("backup", verify=str(archive))
    assert last_verification() is None


def test_a_truncated_backup_is_refused(demo):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    archive.write_bytes(archive.read_bytes()[:-200])

    with pytest.raises(CommandError, match="tronquée"):
        call_command("backup", verify=str(archive))


def test_a_backup_read_with_another_key_is_refused_and_says_so(demo, monkeypatch):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    monkeypatch.setenv(KEY_ENV, generate_key())

    with pytest.raises(CommandError, match="chiffrée avec une autre clé"):
        call_command("restore", str(archive), force=True)


def test_restoring_over_an_instance_in_use_is_refused_without_force(demo):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    later = PlaceFactory(name="Créé après la sauvegarde")

    with pytest.raises(CommandError, match="n'est pas vide.*--force"):
        call_command("restore", str(archive))
    assert Place.objects.filter(pk=later.pk).exists()


@pytest.fixture
def a_migration_from_the_future(transactional_db):
    # django_migrations is no model's table: the flush after the test would leave the row, so remove it.
    row = ("places", "9999_from_the_future")
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)", [*row, timezone.now()]
        )
    yield ".".join(row)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM django_migrations WHERE app = %s AND name = %s", row)


def test_a_backup_from_a_newer_relais_is_refused_before_anything_is_touched(
    demo, a_migration_from_the_future
):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    later = PlaceFactory(name="Créé après la sauvegarde")

    with pytest.raises(CommandError, match=f"version plus récente de Relais.*{a_migration_from_the_future}"):
        call_command("restore", str(archive), force=True)
    assert Place.objects.filter(pk=later.pk).exists()


def test_force_replaces_the_database_and_keeps_the_old_files_aside(demo, settings):
    archive = demo / "backups" / "demo.relaisbak"
    back_up(archive)
    places = Place.objects.count()
    later = PlaceFactory(name="Créé après la sauvegarde")
    (settings.MEDIA_ROOT / "après.txt").write_text("déposé après la sauvegarde")
    out = io.StringIO()

    call_command("restore", str(archive), force=True, stdout=out)

    assert "Restauration terminée" in out.getvalue()
    assert not Place.objects.filter(pk=later.pk).exists()
    assert Place.objects.count() == places
    assert not (settings.MEDIA_ROOT / "après.txt").exists()
    assert (settings.MEDIA_ROOT / "logos/lieu-1.png").read_bytes() == MEDIA_FILES["logos/lieu-1.png"]
    kept = [p for p in settings.MEDIA_ROOT.parent.iterdir() if p.name.startswith("media.avant-restauration-")]
    assert len(kept) == 1 and (kept[0] / "après.txt").exists()


def test_without_a_key_in_the_environment_it_says_which_variable_to_set(demo, monkeypatch):
    monkeypatch.delenv(KEY_ENV)

    with pytest.raises(CommandError, match=KEY_ENV):
        call_command("backup", output=str(demo / "x.relaisbak"))
    assert not (demo / "x.relaisbak").exists()


def test_generate_key_prints_32_random_bytes_in_base64():
    first, second = io.StringIO(), io.StringIO()
    call_command("backup", generate_key=True, stdout=first, stderr=io.StringIO())
    call_command("backup", generate_key=True, stdout=second, stderr=io.StringIO())

    assert len(base64.b64decode(first.getvalue().strip(), validate=True)) == 32
    assert first.getvalue() != second.getvalue()


def sealed(chunks, key, chunk_size=16):
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, key, chunk_size=chunk_size)
    for chunk in chunks:
        writer.write(chunk)
    writer.close()
    return raw.getvalue()


def read_all(data, key):
    return DecryptingReader(io.BytesIO(data), key).read()


def split_chunks(data):
    """(header, [chunk bytes]) of an encrypted stream."""
    header, rest, chunks = data[:HEADER_SIZE], data[HEADER_SIZE:], []
    while rest:
        length = int.from_bytes(rest[1:5], "big")
        chunks.append(rest[: 17 + length])
        rest = rest[17 + length :]
    return header, chunks


def test_the_encrypted_stream_reads_back_what_was_written():
    key = os.urandom(32)
    text = os.urandom(1000)

    assert read_all(sealed([text[:7], text[7:500], text[500:]], key), key) == text
    assert read_all(sealed([], key), key) == b""


def test_chunks_cannot_be_dropped_reordered_or_cut_off_at_a_boundary():
    key = os.urandom(32)
    header, chunks = split_chunks(sealed([os.urandom(100)], key))
    assert len(chunks) == 7  # six full chunks of 16 bytes and the final one

    with pytest.raises(BackupError, match="tronquée"):
        read_all(header + b"".join(chunks[:-1]), key)  # the final chunk dropped
    with pytest.raises(BackupError, match="altérée"):
        read_all(header + chunks[1] + chunks[0] + b"".join(chunks[2:]), key)
    with pytest.raises(BackupError, match="altérée"):
        read_all(header + b"".join(chunks[:2] + chunks[3:]), key)  # one in the middle dropped
    with pytest.raises(BackupError, match="altérée"):
        read_all(header + b"".join(chunks) + chunks[-1], key)  # something after the end


def test_a_chunk_of_another_backup_made_with_the_same_key_is_refused():
    key = os.urandom(32)
    header, chunks = split_chunks(sealed([os.urandom(40)], key))
    _other_header, other_chunks = split_chunks(sealed([os.urandom(40)], key))

    # Same key, same index, same chunk size: only the random file id of the header tells them apart.
    with pytest.raises(BackupError, match="altérée"):
        read_all(header + other_chunks[0] + b"".join(chunks[1:]), key)


def test_a_key_that_is_not_32_bytes_of_base64_is_refused_with_the_variable_named():
    with pytest.raises(BackupError, match=KEY_ENV):
        key_from_environment({KEY_ENV: base64.b64encode(b"trop courte").decode()})
    with pytest.raises(BackupError, match=KEY_ENV):
        key_from_environment({KEY_ENV: "pas du base64 !"})


@postgresql_only
def test_without_the_postgresql_client_tools_it_says_what_to_install(demo, monkeypatch):
    monkeypatch.setenv("PATH", str(demo / "no-programs-here"))

    with pytest.raises(CommandError, match="pg_dump est introuvable.*postgresql-client"):
        call_command("backup", output=str(demo / "x.relaisbak"))
    assert not (demo / "x.relaisbak").exists()


# SQLite's backup API copies in one read transaction: nothing to share with the counts, read from the copy.
@postgresql_only
def test_on_postgresql_the_dump_and_its_counts_are_one_snapshot_while_the_app_keeps_writing(
    demo, key, empty_instance
):
    if connection.vendor != "postgresql":
        pytest.skip(
            "the exported snapshot is PostgreSQL's; SQLite's backup API copies in one read transaction"
        )
    import threading

    from django.db import connection as thread_connection

    stop, written = threading.Event(), []

    def keep_writing():
        try:
            while not stop.is_set():
                written.append(record(SYSTEM, AuditAction.VIEW, Place.objects.first()).pk)
        finally:
            thread_connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        archive = demo / "backups" / "demo.relaisbak"
        back_up(archive)
        during = len(written)
        while len(written) < during + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    database_url, open_target = empty_instance

    done = manage("restore", str(archive), database_url=database_url, media_root=demo / "restored", key=key)

    assert done.returncode == 0, done.stderr
    target = open_target()
    try:
        cursor = target.cursor()
        cursor.execute("SELECT id FROM privacy_auditevent")
        restored = {row[0] for row in cursor.fetchall()}
    finally:
        target.close()
    # The backup holds a prefix of what was written (nothing half-seen), and the writes went on after it.
    assert set(written) & restored and set(written) - restored
    assert all(pk in restored for pk in written[: written.index(max(set(written) & restored)) + 1])


def test_reference_data_and_what_migrate_writes_do_not_make_an_instance_in_use(
    transactional_db, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    assert Commune.objects.exists() and Typology.objects.exists()

    used, files = instance_contents()

    # The test database also holds conftest's own copies of the reference tables (not Django's).
    assert [table for table in used if not table.startswith(BACKUP_PREFIX)] == [] and files == 0
    PlaceFactory()
    assert "places_place" in instance_contents()[0]
