"""The school's managed policy where the kiosk reads it, /etc/kiosk, for one command only.

The command runs in a private mount namespace (the suite runs as root) whose /etc is an overlay:
this computer's own /etc below, the test's folder above it. The kiosk finds the test's
``/etc/kiosk`` at its fixed place, exactly as on a school's computer, while nothing in the real
/etc changes and no other process sees it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.support.paths import REPO
from tests.support.process import kiosk_command
from tests.support.strict import trouble_in

_MOUNT = (
    'mount -t overlay overlay -o "lowerdir=/etc,upperdir=$0/upper,workdir=$0/work" /etc'
    ' && exec "$@"'
)


def policy_folder(tmp: Path, files: dict[str, str]) -> Path:
    """``tmp/etc``, holding ``kiosk/NAME`` for each of ``files`` (NAME may be policy.d/x.toml)."""
    top = tmp / "etc"
    for name, text in files.items():
        path = top / "upper" / "kiosk" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (top / "upper").mkdir(parents=True, exist_ok=True)
    (top / "work").mkdir(exist_ok=True)
    return top


def start_kiosk_managed(
    tmp: Path, files: dict[str, str], *args: str, env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """``kiosk ARGS`` started on a computer whose managed policy is ``files`` (unshare and sh
    exec it: the process is the kiosk's own, to signal as a launcher would)."""
    top = policy_folder(tmp, files)
    command = ["unshare", "--mount", "--propagation", "private", "sh", "-c", _MOUNT, str(top),
               *kiosk_command(*args)]  # fmt: skip
    return subprocess.Popen(
        command, cwd=REPO, env=env if env is not None else dict(os.environ),
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def finished(proc: subprocess.Popen[str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Its end; a traceback or fail-safe report on its stderr fails."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the kiosk did not end within {timeout} s: {err}") from None
    found = trouble_in(err)
    assert not found, "the kiosk reported trouble:\n" + "\n".join(found)
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def run_kiosk_managed(
    tmp: Path,
    files: dict[str, str],
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """``kiosk ARGS`` to its end, on a computer whose managed policy is ``files``."""
    return finished(start_kiosk_managed(tmp, files, *args, env=env), timeout)
