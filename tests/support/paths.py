"""Where things are in the checkout, for tests at any depth of the tree."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TESTS = REPO / "tests"
SUPPORT = TESTS / "support"
PAGES = TESTS / "pages"
DATA = TESTS / "data"
SEB_FILES = DATA / "seb"  # SEB's and Moodle's own .seb files (see its README)
