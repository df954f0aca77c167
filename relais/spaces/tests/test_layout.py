"""The spaces app stays in rooms of a sensible size, and its modules import one another without a loop."""

import ast
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent
PACKAGE = "relais.spaces"
MAX_LINES = 600


def modules():
    """{dotted name: path} of the app's modules, tests and migrations left out."""
    found = {}
    for path in APP.rglob("*.py"):
        parts = path.relative_to(APP).with_suffix("").parts
        if parts[0] in ("tests", "migrations"):
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join((PACKAGE, *parts))] = path
    return found


def imports_of(name, path, known):
    """The app's modules that `name` imports, at load time or inside a function (a deferred import that
    works around a loop is still a loop)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    targets = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _level in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            base = base if node.level else ""
            module = ".".join(filter(None, [base, node.module]))
            targets.add(module)
            targets.update(f"{module}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


@pytest.mark.parametrize("name", sorted(modules()))
def test_each_module_is_under_600_lines(name):
    lines = len(modules()[name].read_text().splitlines())
    assert lines <= MAX_LINES, f"{name}: {lines} lignes"


def test_the_modules_import_one_another_without_a_loop():
    known = modules()
    graph = {name: imports_of(name, path, known) for name, path in known.items()}
    done, path = set(), []

    def visit(name):
        if name in path:
            raise AssertionError(" → ".join([*path[path.index(name) :], name]))
        if name in done:
            return
        path.append(name)
        for target in sorted(graph[name]):
            visit(target)
        path.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
