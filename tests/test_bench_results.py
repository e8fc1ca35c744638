"""The README's performance summary is bench/results.md's, which is what the bench scripts
saved: nobody retypes a measurement (``make bench`` writes both)."""

from __future__ import annotations

import json

from tests.support.paths import REPO

START, END = "<!-- bench:summary -->", "<!-- /bench:summary -->"


def test_the_readme_quotes_the_results_file_and_the_results_file_the_saved_figures() -> None:
    readme = (REPO / "README.md").read_text()
    quoted = readme.split(START, 1)[1].split(END, 1)[0].strip()
    results = (REPO / "bench" / "results.md").read_text()
    summary = results.split("## Summary: every figure with a goal", 1)[1].split("\n## ", 1)[0]
    assert quoted == summary.strip()
    saved = [json.loads(p.read_text()) for p in sorted((REPO / "bench" / "out").glob("*.json"))]
    assert saved, "bench/out holds no figures"
    for part in saved:
        for f in part["figures"]:
            assert f["runs"] >= 1 and f["low"] <= f["median"] <= f["high"], f
            assert f"| {f['what']} |" in results, f["what"]
