"""Another program on the test display, for as long as a ``with`` block lasts."""

from __future__ import annotations

import contextlib
import subprocess
import sys
from collections.abc import Iterator

from tests.support.paths import REPO


@contextlib.contextmanager
def other_program(script: str, *args: str, ready: str) -> Iterator[str]:
    """Runs ``tests/support/SCRIPT ARGS`` as another X client; yields its first line once it
    has printed one starting with ``ready`` (it is shown), and ends it after the block."""
    proc = subprocess.Popen(
        [sys.executable, f"tests/support/{script}", *args],
        cwd=REPO, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        assert line.startswith(ready), f"{script} said {line!r}"
        yield line
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout is not None:
            proc.stdout.close()
