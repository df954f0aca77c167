"""The apps are layers that import only the layers below them (docs/architecture.md), and the computational
cores import no Django, neither themselves nor through a module of the project they import.

Imports are read from the source with `ast`: at any depth (a deferred import inside a function is still a
dependency), relative ones resolved, and the dotted paths given to `include()` and `import_module()`.
References by string in models ("places.Place") are not imports: they tie no module to another.
"""

import ast
from pathlib import Path

import pytest

RELAIS = Path(__file__).resolve().parents[1]
PROJECT = "(project)"  # the modules right under relais/ (settings, urls, wsgi, testing): they assemble it all

# Bottom to top. A module imports only apps of lower levels; apps of one level import neither each other.
LEVELS = [
    {"core"},  # the generic foundations: errors, workflow, tables, text
    {"privacy", "territory"},  # the audit trail; the reference geography
    {"accounts"},  # users, roles, tokens
    {"places"},  # the registry, the directory, the territory pages, tenancy
    {"members"},
    {"spaces"},
    {"coverage"},
    {"api"},  # the NinjaAPI object, which mounts every app's router
    {"site"},  # what assembles several apps: the home page, « Mon espace », the whole demo
    {PROJECT},
]

# Imports that go up, tolerated for now: (importing module, imported app) → why. Keep it short; an entry
# that no import needs any more fails the suite, so it is removed when the code moves. None is left.
EXCEPTIONS = {}

# Computational code: plain arrays and dataclasses in, no Django (STYLE.md), so that it runs and is tested
# without a database.
PURE_CORES = [
    "relais.coverage.engine",
    "relais.coverage.exact",
    "relais.territory.geo",
    "relais.territory.vectortiles",
    "relais.spaces.schedule",
]
DJANGO_PACKAGES = {"django", "ninja"}  # and every `django_*` distribution (django_tasks…)


def modules(root=RELAIS):
    """{dotted name: path} of the project's modules under `root`, tests, test support and migrations left
    out."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root).with_suffix("").parts
        if {"tests", "migrations"} & set(parts) or parts[-1].startswith("test_") or parts[-1] == "conftest":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((root.name, *parts))] = path
    return found


def imports_of(name, path):
    """[(line, dotted target)] of what the module `name` (at `path`) imports. For `from X import a`, both X
    and X.a are given: X.a may be a module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and _called_name(node.func) in ("include", "import_module"):
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((node.lineno, first.value))
    return found


def _called_name(func):
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def app_of(dotted, root=RELAIS):
    """The app a dotted name of the project belongs to; None outside the project."""
    parts = dotted.split(".")
    if parts[0] != root.name or len(parts) < 2:
        return None
    return parts[1] if (root / parts[1] / "__init__.py").exists() else PROJECT


def allowed_apps(app):
    """The apps `app` may import: those of the levels below its own."""
    for number, level in enumerate(LEVELS):
        if app in level:
            return set().union(*LEVELS[:number])
    raise AssertionError(f"{app} n'a pas de place dans LEVELS : ajoutez-la (et dans docs/architecture.md)")


def upward_imports(root=RELAIS, exceptions=EXCEPTIONS):
    """(["file:line → target (what the app may import)"], the exceptions that some import needed)."""
    problems, used = [], set()
    for name, path in modules(root).items():
        app = app_of(name, root) or PROJECT  # relais/__init__.py is the project's
        allowed = allowed_apps(app)
        seen = set()
        for line, target in imports_of(name, path):
            target_app = app_of(target, root)
            if target_app in (None, app) or target_app in allowed or (line, target_app) in seen:
                continue
            seen.add((line, target_app))
            if (name, target_app) in exceptions:
                used.add((name, target_app))
                continue
            shown = ", ".join(sorted(allowed)) or "aucune autre app"
            problems.append(
                f"{path.relative_to(root.parent)}:{line} → {target} ({app} importe seulement : {shown})"
            )
    return problems, used


def django_reached_from(core, root=RELAIS):
    """The chains "module:line → …" by which the module `core` imports Django, through the project's
    modules it imports (and the packages holding them, which run first)."""
    known = modules(root)
    chains, queue, visited = [], [(core, [])], set()
    while queue:
        name, chain = queue.pop(0)
        if name in visited or name not in known:
            continue
        visited.add(name)
        path = known[name]
        parent = name.rpartition(".")[0]
        if parent in known:
            queue.append((parent, chain))
        django_lines = set()
        for line, target in imports_of(name, path):
            step = [*chain, f"{path.relative_to(root.parent)}:{line} {target}"]
            top = target.split(".")[0]
            if top in DJANGO_PACKAGES or top.startswith("django_"):
                if line not in django_lines:  # `from django.conf import settings`: once, not twice
                    django_lines.add(line)
                    chains.append(" → ".join(step))
            elif target in known:
                queue.append((target, step))
    return chains


def test_every_app_has_a_layer():
    apps = {path.parent.name for path in RELAIS.glob("*/__init__.py") if path.parent.name != "tests"}

    assert apps - set().union(*LEVELS) == set()


def test_every_import_between_apps_goes_down_the_layers():
    problems, _used = upward_imports()

    assert problems == [], "imports vers une couche supérieure :\n" + "\n".join(problems)


def test_every_exception_is_still_needed():
    _problems, used = upward_imports()

    assert set(EXCEPTIONS) - used == set(), "exceptions devenues inutiles : retirez-les de EXCEPTIONS"


def test_accounts_imports_nothing_of_the_places():
    """« Mon espace », which lists the places, lives in the site layer (site/dashboard.py), not accounts."""
    found = [
        f"{name}:{line} → {target}"
        for name, path in modules().items()
        if app_of(name) == "accounts"
        for line, target in imports_of(name, path)
        if app_of(target) == "places"
    ]

    assert found == []
    assert not any(module == "relais.accounts.views" for module, _app in EXCEPTIONS)


@pytest.mark.parametrize("core", PURE_CORES)
def test_the_computational_cores_import_no_django(core):
    assert core in modules(), f"{core} a disparu : mettez à jour PURE_CORES"

    assert django_reached_from(core) == []


# --- The checker itself, on a small made-up project --------------------------------------------------------


def write(root, relative, text=""):
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "relais"
    for app in ("core", "territory", "places", "spaces", "coverage"):
        write(root, f"{app}/__init__.py")
    write(root, "core/text.py", "import unicodedata\n")
    write(root, "places/models.py", "from relais.core import text\nfrom . import hours\n")
    write(root, "places/hours.py")
    write(root, "places/demo.py", "def load():\n    from ..spaces import demo\n\n    demo.run()\n")
    write(root, "places/urls.py", 'from django.urls import include\n\nx = include("relais.spaces.urls")\n')
    write(root, "places/tests/__init__.py")
    write(root, "places/tests/test_demo.py", "from relais.spaces import demo\n")
    write(root, "places/migrations/0001_initial.py", "from relais.spaces import models\n")
    write(root, "spaces/demo.py", "from relais.places.models import Place\n")
    write(root, "territory/geo.py", "import numpy as np\n")
    write(root, "coverage/engine.py", "import numpy as np\n\nfrom . import helpers\n")
    write(root, "coverage/helpers.py", "import math\n\nfrom relais.territory.geo import np\n")
    return root


def test_the_checker_finds_deferred_relative_and_included_imports_going_up(project):
    problems, used = upward_imports(project, exceptions={})

    below = "(places importe seulement : accounts, core, privacy, territory)"
    assert problems == [
        f"relais/places/demo.py:2 → relais.spaces {below}",
        f"relais/places/urls.py:3 → relais.spaces.urls {below}",
    ]
    assert used == set()


def test_the_checker_lets_an_exception_through_and_reports_it_used(project):
    exceptions = {("relais.places.demo", "spaces"): "for the test"}

    problems, used = upward_imports(project, exceptions)

    assert [p.split(" ")[0] for p in problems] == ["relais/places/urls.py:3"]
    assert used == set(exceptions)


def test_the_checker_follows_a_core_into_the_modules_it_imports(project):
    assert django_reached_from("relais.coverage.engine", project) == []

    write(
        project, "territory/geo.py", "import numpy as np\n\ndef f():\n    from django.conf import settings\n"
    )
    write(project, "coverage/__init__.py", "import django_tasks\n")

    assert django_reached_from("relais.coverage.engine", project) == [
        "relais/coverage/__init__.py:1 django_tasks",
        "relais/coverage/engine.py:3 relais.coverage.helpers → "
        "relais/coverage/helpers.py:3 relais.territory.geo → relais/territory/geo.py:4 django.conf",
    ]
