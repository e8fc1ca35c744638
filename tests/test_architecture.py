"""The house rules, checked on every run: the layers of docs/architecture.md and their imports.

- kiosk/platform/ is the leaf: it imports nothing else of the project.
- detectors/ and bridge/ import only the leaf (and themselves); policies/ imports nothing.
- No cycle between any two packages (kiosk's rooms counted apart), and none between modules.
- Qt comes in through kiosk/platform/qt.py only; every detector is built in
  kiosk/proctoring/sensors.py; no product module grows past ~400 lines.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

from tests.support.paths import REPO

PACKAGES = ("kiosk", "bridge", "detectors", "policies")
LEAF = "kiosk.platform"
QT_ENTRY = REPO / "kiosk" / "platform" / "qt.py"
SENSORS = REPO / "kiosk" / "proctoring" / "sensors.py"
MAX_LINES = 420


def _module(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module(p): p for pkg in PACKAGES for p in sorted((REPO / pkg).rglob("*.py"))}


def _package(module: str) -> str:
    """The package a module belongs to (a package's __init__ belongs to the package)."""
    path = _modules()[module]
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


@cache
def _imports(module: str) -> frozenset[str]:
    """The project's modules ``module`` imports, anywhere in it (lazy and type-only too)."""
    names: set[str] = set()
    tree = ast.parse(_modules()[module].read_text(), filename=str(_modules()[module]))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    found = set()
    for name in names:
        while name and name not in _modules():
            name = name.rpartition(".")[0]
        if name and name != module:
            found.add(name)
    return frozenset(found)


def _external(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
    return out


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def _layer_violations(layer: str, allowed: tuple[str, ...]) -> list[str]:
    bad = []
    for module in _modules():
        if module == layer or module.startswith(layer + "."):
            for imported in _imports(module):
                if not any(imported == a or imported.startswith(a + ".") for a in allowed):
                    bad.append(f"{module} -> {imported}")
    return bad


def test_the_platform_layer_is_a_leaf() -> None:
    assert _layer_violations(LEAF, (LEAF,)) == []


@pytest.mark.parametrize("layer", ["detectors", "bridge"])
def test_detectors_and_the_bridge_import_only_the_platform_layer(layer: str) -> None:
    assert _layer_violations(layer, (layer, LEAF)) == []


def test_policies_import_nothing_of_the_project() -> None:
    assert _layer_violations("policies", ("policies",)) == []


def test_no_cycle_between_packages() -> None:
    graph: dict[str, set[str]] = {}
    for module in _modules():
        for imported in _imports(module):
            if _package(imported) != _package(module):
                graph.setdefault(_package(module), set()).add(_package(imported))
    assert _cycles(graph) == []


def test_the_rooms_never_import_the_application() -> None:
    """kiosk/app.py, cli.py, demo.py and kiosk/__init__.py are the top: the rooms of kiosk/
    and the libraries below them never reach up into them."""
    top = {"kiosk", "kiosk.app", "kiosk.cli", "kiosk.demo", "kiosk.__main__"}
    bad = [
        f"{module} -> {imported}"
        for module in _modules()
        if module not in top
        for imported in _imports(module)
        if imported in top
    ]
    assert bad == []


def test_no_cycle_between_modules() -> None:
    assert _cycles({m: set(_imports(m)) for m in _modules()}) == []


def test_the_rules_see_a_cycle_when_there_is_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_qt_is_imported_only_through_the_platform_qt_module() -> None:
    stray = [
        str(path.relative_to(REPO))
        for path in _modules().values()
        if path != QT_ENTRY and any(n == "PyQt6" or n.startswith("PyQt6.") for n in _external(path))
    ]
    assert stray == [], "import Qt from kiosk.platform.qt"


def _detector_classes() -> set[str]:
    """Every class in detectors/ with a start() and a stop(), and the face detector."""
    names = {"FaceDetector"}
    for module, path in _modules().items():
        if not module.startswith("detectors"):
            continue
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                methods = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
                if {"start", "stop"} <= methods and "Protocol" not in ast.unparse(node):
                    names.add(node.name)
    return names


def test_every_detector_is_built_in_one_place() -> None:
    detectors = _detector_classes()
    assert {"FocusDetector", "CameraCapture", "MicrophoneDetector"} <= detectors
    built = []
    for module, path in _modules().items():
        if path == SENSORS or module.startswith("detectors"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            called = isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            if called and node.func.id in detectors:  # type: ignore[attr-defined]
                built.append(f"{module} builds {node.func.id}")  # type: ignore[attr-defined]
    assert built == [], "detectors are built in kiosk/proctoring/sensors.py"


def test_no_product_module_is_over_about_400_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in _modules().values()
        if (n := len(p.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}, "reshape it: split by concern"


def test_the_command_line_starts_without_loading_qt() -> None:
    """--help and usage errors must work even where the web engine's libraries are missing."""
    code = (
        "import sys; from kiosk.cli import main; rc = main(['run', 'ftp://x']);"
        "print(rc, any(m.startswith('PyQt6') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["2", "False"], done.stderr
