"""House rules that keep the tree honest, checked on every run."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.support.paths import REPO

PACKAGES = ("kiosk", "bridge", "detectors", "policies")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def test_qt_is_imported_only_through_kiosk_qt() -> None:
    stray = []
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if path == REPO / "kiosk" / "platform" / "qt.py":
                continue
            if any(name == "PyQt6" or name.startswith("PyQt6.") for name in _imports(path)):
                stray.append(str(path.relative_to(REPO)))
    assert stray == [], f"import Qt from kiosk.platform.qt, not PyQt6 directly: {stray}"


def test_detectors_know_nothing_of_page_or_policy() -> None:
    for path in (REPO / "detectors").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith(("bridge", "policies", "kiosk.session"))}
        assert not bad, f"{path.name} imports {bad}: detectors only observe and publish"


def test_policies_do_not_sense() -> None:
    for path in (REPO / "policies").rglob("*.py"):
        bad = {n for n in _imports(path) if n.startswith(("detectors", "bridge"))}
        assert not bad, f"{path.name} imports {bad}: policies decide from what they are given"


def test_the_command_line_starts_without_loading_qt() -> None:
    """--help and usage errors must work even where the web engine's libraries are missing."""
    import subprocess
    import sys

    code = (
        "import sys; from kiosk.cli import main; rc = main(['run', 'ftp://x']);"
        "print(rc, any(m.startswith('PyQt6') for m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.stdout.split() == ["2", "False"], done.stderr
