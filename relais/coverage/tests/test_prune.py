"""Retention of stored coverage runs: `prune_coverage_runs --keep-days N [--dry-run]`."""

import datetime
import io
import uuid

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relais.core.errors import DomainError
from relais.coverage.models import CoverageRun
from relais.coverage.runs import prune_runs

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def run(days_ago, territory="dep:15", radius_km=10.0):
    stored = CoverageRun.objects.create(
        parameters={"territory": territory, "radius_km": radius_km, "thresholds_km": [5, 10, 20]},
        registry_token=uuid.uuid4(),
        place_count=1,
        commune_count=246,
    )
    CoverageRun.objects.filter(pk=stored.pk).update(created_at=NOW - datetime.timedelta(days=days_ago))
    return stored.pk


@pytest.fixture
def runs():
    return {
        "cantal_recent": run(3),
        "cantal_old": run(100),
        "cantal_older": run(200),
        "cantal_20km_old": run(150, radius_km=20.0),
        "puy_old": run(120, territory="dep:63"),
        "puy_older": run(400, territory="dep:63"),
    }


def test_recent_runs_and_the_newest_of_each_parameter_set_are_kept(runs):
    report = prune_runs(90, now=NOW)
    remaining = set(CoverageRun.objects.values_list("pk", flat=True))
    # Cantal 10 km: its newest run is recent, so both old ones go; the others keep their newest old run.
    assert remaining == {runs["cantal_recent"], runs["cantal_20km_old"], runs["puy_old"]}
    assert (report.total, report.deleted, report.kept_recent, report.kept_latest) == (6, 3, 1, 2)


def test_a_dry_run_counts_without_deleting(runs):
    report = prune_runs(90, dry_run=True, now=NOW)
    assert report.deleted == 3
    assert CoverageRun.objects.count() == 6


def test_keep_days_zero_keeps_only_the_newest_run_of_each_parameter_set(runs):
    prune_runs(0, now=NOW)
    assert set(CoverageRun.objects.values_list("pk", flat=True)) == {
        runs["cantal_recent"],
        runs["cantal_20km_old"],
        runs["puy_old"],
    }
    assert prune_runs(0, now=NOW).deleted == 0  # idempotent


def test_a_negative_number_of_days_is_refused_in_french():
    with pytest.raises(DomainError, match="positif ou nul"):
        prune_runs(-1)


def test_the_command_prints_a_french_summary(runs):
    out = io.StringIO()
    call_command("prune_coverage_runs", keep_days=90, dry_run=True, stdout=out)
    text = out.getvalue()
    assert (
        "Analyses de maillage : 6 au total, 3 seraient supprimées, 3 conservées "
        "(1 de moins de 90 jours, 2 les plus récentes de leurs paramètres)." in text
    )
    assert "Simulation (--dry-run) : rien n'a été supprimé." in text
    assert CoverageRun.objects.count() == 6

    out = io.StringIO()
    call_command("prune_coverage_runs", "--keep-days", "90", stdout=out)
    assert "3 supprimées, 3 conservées" in out.getvalue()
    assert CoverageRun.objects.count() == 3


def test_the_command_refuses_a_negative_number_of_days():
    with pytest.raises(CommandError, match="le nombre de jours à conserver doit être positif ou nul"):
        call_command("prune_coverage_runs", "--keep-days", "-5", stdout=io.StringIO())
