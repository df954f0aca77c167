"""The uploaded files of a backup: MEDIA_ROOT as a tar whose every file is hashed while it is read, checked
against the manifest, and put back beside the old MEDIA_ROOT before a swap (the old one is kept aside)."""

import datetime
import hashlib
import os
import shutil
import tarfile
import tempfile
from pathlib import Path

from django.utils.translation import gettext as _

from .backup_crypto import BackupError

BLOCK = 1024 * 1024


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(BLOCK):
            digest.update(block)
    return digest.hexdigest()


class _HashingReader:
    def __init__(self, handle):
        self.handle = handle
        self.digest = hashlib.sha256()

    def read(self, size=-1):
        data = self.handle.read(size)
        self.digest.update(data)
        return data


def media_files(root):
    """Relative paths of the regular files under `root` (symbolic links are not followed)."""
    if not root.is_dir():
        return []
    found = []
    for directory, dirs, files in os.walk(root):
        dirs.sort()
        for name in sorted(files):
            path = Path(directory, name)
            if path.is_file() and not path.is_symlink():
                found.append(path.relative_to(root).as_posix())
    return found


def write_media_tar(root, path):
    files = {}
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as archive:
        for relative in media_files(root):
            source = root / relative
            info = archive.gettarinfo(source, arcname=relative)
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            with open(source, "rb") as handle:
                hashing = _HashingReader(handle)
                archive.addfile(info, hashing)
            files[relative] = {"sha256": hashing.digest.hexdigest(), "size": info.size}
    return files


def check_media_tar(path, expected_files):
    """Every file of the media tar is listed in the manifest with the same SHA-256, and none is missing."""
    with tarfile.open(path) as media:
        listed = set()
        for member in media:
            expected = expected_files.get(member.name)
            if expected is None or not member.isfile() or not safe_relative(member.name):
                raise BackupError(
                    _("Sauvegarde invalide : fichier inattendu « %(name)s ».") % {"name": member.name}
                )
            digest = hashlib.sha256()
            with media.extractfile(member) as source:
                while block := source.read(BLOCK):
                    digest.update(block)
            if digest.hexdigest() != expected["sha256"]:
                raise BackupError(
                    _(
                        "Sauvegarde altérée : l'empreinte du fichier « %(name)s » ne correspond pas au "
                        "manifeste."
                    )
                    % {"name": member.name}
                )
            listed.add(member.name)
    missing = set(expected_files) - listed
    if missing:
        raise BackupError(
            _("Sauvegarde incomplète : %(count)s fichier(s) du manifeste manquent, dont « %(name)s ».")
            % {"count": len(missing), "name": sorted(missing)[0]}
        )


def safe_relative(name):
    parts = Path(name).parts
    return bool(parts) and not Path(name).is_absolute() and ".." not in parts


def restore_media(media_tar, root):
    """Put the files in MEDIA_ROOT: extracted beside it, then swapped in; a previous MEDIA_ROOT is kept
    aside (its new name is returned) rather than deleted."""
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=root.parent))
    try:
        with tarfile.open(media_tar) as media:
            for member in media:
                # Names were checked against the manifest; regular files only, written under `staging`.
                target = staging / member.name
                target.parent.mkdir(parents=True, exist_ok=True)
                with media.extractfile(member) as source, open(target, "xb") as handle:
                    shutil.copyfileobj(source, handle, BLOCK)
                os.utime(target, (member.mtime, member.mtime))
        os.chmod(staging, root.stat().st_mode & 0o777 if root.exists() else 0o750)
        kept = None
        if root.exists():
            kept = root.with_name(
                f"{root.name}.avant-restauration-{datetime.datetime.now(datetime.UTC):%Y%m%d-%H%M%S}"
            )
            os.replace(root, kept)
        os.replace(staging, root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return kept
