from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.site.backup import backup_dir, create_backup, verify_backup
from relais.site.backup_crypto import KEY_ENV, generate_key, key_from_environment, key_id, parse_key


class Command(BaseCommand):
    help = (
        "Écrit une sauvegarde chiffrée et cohérente de l'instance : la base de données (pg_dump en un seul "
        "instantané, ou l'API de sauvegarde de SQLite), les fichiers déposés (MEDIA_ROOT) et un manifeste "
        f"(versions, migrations, lignes par table, empreintes SHA-256). La clé est lue dans {KEY_ENV}. "
        "Ne modifie rien dans l'instance. Avec --verify FICHIER, déchiffre et contrôle une sauvegarde sans "
        "la restaurer et note la date de cette vérification ; avec --generate-key, affiche une clé neuve."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FICHIER",
            help="fichier à écrire (par défaut relais-AAAAMMJJ-HHMMSS.relaisbak dans RELAIS_BACKUP_DIR)",
        )
        parser.add_argument("--verify", metavar="FICHIER", help="vérifier cette sauvegarde sans la restaurer")
        parser.add_argument(
            "--generate-key", action="store_true", help="afficher une nouvelle clé et s'arrêter"
        )

    def handle(self, *args, output=None, verify=None, generate_key=False, **options):
        if generate_key:
            return self._generate_key()
        try:
            key = key_from_environment()
            if verify:
                record = verify_backup(verify, key=key)
            else:
                path, manifest = create_backup(output, key=key)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        if verify:
            self.stdout.write(
                _(
                    "Sauvegarde valide : %(file)s (faite le %(date)s, Relais %(version)s, %(engine)s) ; "
                    "%(tables)s tables, %(rows)s lignes, %(files)s fichiers. Vérification notée dans "
                    "%(record)s."
                )
                % {
                    "file": verify,
                    "date": record["backup_created_at"],
                    "version": record["relais_version"],
                    "engine": record["engine"],
                    "tables": record["tables"],
                    "rows": record["rows"],
                    "files": record["files"],
                    "record": backup_dir() / "verification.json",
                }
            )
            return
        self.stdout.write(
            _(
                "Sauvegarde écrite : %(file)s (%(tables)s tables, %(rows)s lignes, %(files)s fichiers, clé "
                "%(key)s)."
            )
            % {
                "file": path,
                "tables": len(manifest["row_counts"]),
                "rows": sum(manifest["row_counts"].values()),
                "files": len(manifest["media_files"]),
                "key": manifest["key_id"],
            }
        )

    def _generate_key(self):
        text = generate_key()
        self.stdout.write(text)
        self.stderr.write(
            _(
                "Clé %(key)s : à placer dans %(name)s et à conserver hors des sauvegardes (coffre de mots de "
                "passe, enveloppe scellée) ; sans elle, aucune sauvegarde chiffrée avec elle ne peut être "
                "lue."
            )
            % {"key": key_id(parse_key(text)).hex(), "name": KEY_ENV}
        )
