from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.privacy import chain
from relais.privacy.models import AuditEvent


class Command(BaseCommand):
    @property
    def help(self):  # translated when the parser is built (argparse takes no lazy text)
        return _(
            "Vérifie la chaîne d'empreintes du journal d'audit, de la première ligne à la dernière, sans "
            "rien modifier. Sort en erreur en nommant la première ligne dont le contenu a été modifié, ou "
            "dont le lien avec la précédente est rompu (une ligne supprimée ou insérée avant elle). Affiche "
            "la dernière empreinte : notée ailleurs, elle permet de constater plus tard des lignes "
            "supprimées à la fin."
        )

    def add_arguments(self, parser):
        parser.add_argument(
            "--empreinte",
            action="append",
            default=[],
            help=_(
                "empreinte d'une ligne notée lors d'une vérification précédente : elle doit toujours être "
                "dans le journal (répétable)"
            ),
        )

    def handle(self, *args, empreinte, **options):
        result = chain.verify(AuditEvent.objects.all())
        if result.ok:
            missing = [
                h for h in empreinte if h != chain.GENESIS and not AuditEvent.objects.filter(hash=h).exists()
            ]
            if missing:
                raise CommandError(
                    _(
                        "journal d'audit tronqué : lignes vérifiées=%(count)s, la ligne d'empreinte %(hash)s "
                        "n'y est plus (des lignes ont été supprimées à la fin)"
                    )
                    % {"count": result.verified, "hash": missing[0]}
                )
            self.stdout.write(
                _("journal d'audit intact : lignes vérifiées=%(count)s dernière empreinte=%(hash)s")
                % {"count": result.verified, "hash": result.last_hash}
            )
            return
        broken = result.broken
        if broken.kind == chain.CONTENT:
            what = _("son contenu a été modifié (son empreinte ne correspond plus)")
        else:
            what = _(
                "son lien avec la ligne précédente est rompu (une ligne a été supprimée ou insérée avant "
                "elle)"
            )
        raise CommandError(
            _(
                "journal d'audit altéré : lignes vérifiées=%(count)s, première ligne rompue id=%(id)s "
                "du %(date)s : %(what)s"
            )
            % {
                "count": result.verified,
                "id": broken.pk,
                "date": timezone.localtime(broken.at).strftime("%d/%m/%Y %H:%M:%S"),
                "what": what,
            }
        )
