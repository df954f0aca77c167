from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError
from relais.site.backup import restore_backup
from relais.site.backup_crypto import KEY_ENV, key_from_environment


class Command(BaseCommand):
    help = (
        "Restaure une sauvegarde chiffrée (`manage.py backup`) dans la base configurée et MEDIA_ROOT. "
        f"Déchiffre (clé lue dans {KEY_ENV}) et contrôle le manifeste et chaque empreinte avant de toucher "
        "à quoi que ce soit ; refuse une instance qui contient déjà des données, sauf avec --force (la base "
        "est alors remplacée entièrement, l'ancien MEDIA_ROOT mis de côté) ; applique les migrations si la "
        "sauvegarde est plus ancienne que le code ; compare enfin les lignes de chaque table au manifeste."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FICHIER", help="la sauvegarde à restaurer")
        parser.add_argument(
            "--force", action="store_true", help="écraser une instance qui contient déjà des données"
        )

    def handle(self, *args, file, force=False, verbosity=1, **options):
        try:
            report = restore_backup(file, key=key_from_environment(), force=force, out=self.stdout.write)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        for table, (expected, found) in sorted(report.counts.items()):
            if verbosity >= 1 or expected != found:
                mark = "ok" if expected == found else _("ÉCART")
                self.stdout.write(
                    _(
                        "%(table)s : %(found)s ligne(s) restaurée(s), %(expected)s dans la sauvegarde "
                        "(%(mark)s)"
                    )
                    % {"table": table, "found": found, "expected": expected, "mark": mark}
                )
        tables = len(report.counts)
        rows = sum(expected for expected, _found in report.counts.values())
        summary = ngettext(
            "%(tables)s table comparée au manifeste (%(rows)s lignes), %(files)s fichier(s) restauré(s).",
            "%(tables)s tables comparées au manifeste (%(rows)s lignes), %(files)s fichier(s) restauré(s).",
            tables,
        ) % {"tables": tables, "rows": rows, "files": report.files}
        self.stdout.write(summary)
        if report.media_kept_aside:
            self.stdout.write(
                _("L'ancien MEDIA_ROOT a été conservé dans %(path)s.") % {"path": report.media_kept_aside}
            )
        if report.migrated:
            self.stdout.write(_("Migrations appliquées : la base est à jour du code."))
        if report.mismatches:
            raise CommandError(
                _(
                    "%(count)s table(s) ne correspondent pas au manifeste : vérifiez la base avant de la "
                    "remettre en service."
                )
                % {"count": len(report.mismatches)}
            )
        self.stdout.write(
            self.style.SUCCESS(_("Restauration terminée : chaque table correspond au manifeste."))
        )
