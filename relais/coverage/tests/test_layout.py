"""The coverage app's modules stay small, and its computational cores import no Django."""

import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent
MAX_LINES = 600
# Plain numpy/scipy modules: notebooks and the benchmark use them without a database or settings.
CORES = ["engine", "exact", "bounds", "heuristics"]


@pytest.mark.parametrize("path", sorted(APP.rglob("*.py")), ids=lambda p: str(p.relative_to(APP)))
def test_each_module_is_under_600_lines(path):
    assert len(path.read_text(encoding="utf-8").splitlines()) < MAX_LINES


def test_the_computational_cores_import_no_django():
    imports = "; ".join(f"import relais.coverage.{name}" for name in CORES)
    code = f"import sys; {imports}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=APP.parent.parent
    )
    assert out.stdout.strip() == "[]"
