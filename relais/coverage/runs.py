"""Stored coverage runs: kept only when a person or the `coverage` command asks, pruned by retention."""

import datetime
import json
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import DomainError
from relais.places.models import RegistryVersion

from .models import CoverageRun


def keep_run(result, *, kept_by=None):
    """Store an analysis as it was run (its parameters, the registry version it read, its results), so that
    it can be cited later; `kept_by` is the person who asked (None for the command). Sets `result.run`."""
    version = RegistryVersion.objects.filter(pk=1).first()
    result.run = CoverageRun.objects.create(
        parameters={
            **result.params.stored(),
            "thresholds_km": list(result.thresholds),
            "distance_source": result.distance_source,
        },
        registry_token=result.registry_token,
        registry_changed_at=version.changed_at if version else None,
        place_count=result.place_count,
        commune_count=len(result.communes),
        excluded_communes=result.excluded,
        summary={
            "territory": result.summary[0],
            "recommendation": result.recommendation,
            "bands": result.bands,
            "by_typology": result.by_typology,
            "population": result.population,
        },
        recommended=result.recommended,
        duration_ms=result.duration_ms,
        kept_by=kept_by,
    )
    return result.run


@dataclass
class PruneReport:
    total: int  # runs stored before pruning
    deleted: int  # runs deleted (or that would be, in a dry run)
    kept_recent: int  # kept: younger than keep_days
    kept_latest: int  # kept: older, but the newest run of their parameter set


def prune_runs(keep_days, *, dry_run=False, now=None):
    """Delete the stored runs older than `keep_days`, except the newest run of each parameter set (the one
    to cite for that analysis: same territory, radius, filters…). With `dry_run`, only count."""
    if keep_days is None or keep_days < 0:
        raise DomainError(
            _("le nombre de jours à conserver doit être positif ou nul (reçu : %(days)s).")
            % {"days": keep_days},
            field="keep_days",
        )
    cutoff = (now or timezone.now()) - datetime.timedelta(days=keep_days)
    seen, doomed = set(), []
    report = PruneReport(total=0, deleted=0, kept_recent=0, kept_latest=0)
    runs = CoverageRun.objects.order_by("-created_at", "-pk").values_list("pk", "created_at", "parameters")
    for pk, created_at, parameters in runs.iterator(chunk_size=2000):
        report.total += 1
        key = json.dumps(parameters, sort_keys=True, default=str)
        if created_at >= cutoff:
            report.kept_recent += 1
        elif key not in seen:
            report.kept_latest += 1
        else:
            doomed.append(pk)
        seen.add(key)
    report.deleted = len(doomed)
    if not dry_run:
        with transaction.atomic():
            for start in range(0, len(doomed), 500):
                CoverageRun.objects.filter(pk__in=doomed[start : start + 500]).delete()
    return report
