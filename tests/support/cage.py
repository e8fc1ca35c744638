"""The kiosk inside ``cage``, Debian's Wayland kiosk compositor, as the kiosk's Wayland login
session runs it, on cage's headless backend (no screen here).

cage refuses to run as root, so the command runs as an unprivileged user this helper creates,
in a private mount namespace (the suite runs as root) where:
- /etc is an overlay of this computer's and the test's own ``/etc/kiosk`` (the managed policy at
  its fixed place, as in tests/support/managed_etc.py);
- the folders above this Python that the user may not enter (pyenv's under /root) are covered by
  a tmpfs they may enter, with the Python's own folder bound back in, so the user runs the very
  interpreter and checkout the suite runs. Nothing changes outside the namespace.
"""

from __future__ import annotations

import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.support.managed_etc import policy_folder
from tests.support.paths import REPO
from tests.support.strict import trouble_in

USER = "kiosk-check"  # the package check's unprivileged user too
CAGE = "/usr/bin/cage"
HEADLESS = {"WLR_BACKENDS": "headless", "WLR_RENDERER": "pixman", "WLR_LIBINPUT_NO_DEVICES": "1"}


#: cage 0.1.4 exits 0 whatever its program did, so the program's own status is said on stderr
#: by the shell that runs it (a process between cage and the kiosk, which the kiosk allows)
STATUS_MARK = "cage's program exited with status "
_SAY_STATUS = f'"$@"; echo "{STATUS_MARK}$?" >&2'


@dataclass
class CageRun:
    home: Path  # the user's folder for this run: runtime/, data/
    done: subprocess.CompletedProcess[str]

    @property
    def said(self) -> str:
        """Everything the run said: its stderr, then the kiosk's log file (where the engine's
        and Qt's own messages go when the kiosk is not verbose), for a failing assertion."""
        logs = sorted(self.home.glob("data/**/*.log"))
        return "\n".join([self.done.stderr, *(f"--- {p}\n{p.read_text(errors='replace')}"
                                              for p in logs)])  # fmt: skip

    @property
    def status(self) -> int:
        """The exit status of cage's program (cage's own says nothing)."""
        # anywhere in a line: Xwayland's own output shares the stream and may leave a line open
        said = re.findall(re.escape(STATUS_MARK) + r"(\d+)", self.done.stderr)
        assert said, "cage's program said no exit status:\n" + self.said
        return int(said[-1])

    @property
    def records(self) -> list[Path]:
        return sorted((self.home / "data" / "kiosk" / "sessions").glob("*/record.sqlite3"))


def unprivileged_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam(USER)
    except KeyError:
        subprocess.run(["useradd", "--create-home", "--shell", "/bin/sh", USER], check=True)
        return pwd.getpwnam(USER)


def _hidden_above(path: Path) -> Path | None:
    """The highest folder above ``path`` that others may not enter, if any."""
    for folder in reversed(path.parents):
        if not folder.stat().st_mode & 0o001:
            return folder
    return None


def _mounts(policy: Path, stash: Path) -> list[str]:
    """The namespace's mounts: the policy's /etc, then this Python reachable for the user."""
    script = [
        f"mount -t overlay overlay -o lowerdir=/etc,upperdir={policy}/upper,"
        f"workdir={policy}/work /etc"
    ]
    prefix = Path(sys.base_prefix).resolve()
    hidden = _hidden_above(prefix)
    if hidden is not None:
        keep = hidden / prefix.relative_to(hidden).parts[0]  # /root/.pyenv
        script += [
            f"mount --bind {shlex.quote(str(keep))} {stash}",
            f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(hidden))}",
            f"mkdir {shlex.quote(str(keep))}",
            f"mount --bind {stash} {shlex.quote(str(keep))}",
        ]
    return script


def run_in_cage(
    policy_files: dict[str, str],
    app: list[str],
    *,
    cage_options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> CageRun:
    """``cage OPTIONS -- APP`` as the unprivileged user, headless, on a computer whose managed
    policy is ``policy_files``; APP's ``{kiosk}`` stands for this checkout's ``python -m
    kiosk``. A traceback or fail-safe report on its stderr fails."""
    user = unprivileged_user()
    home = Path(tempfile.mkdtemp(prefix="kiosk-cage-"))
    top = Path(tempfile.mkdtemp(prefix="kiosk-cage-etc-"))
    stash = Path(tempfile.mkdtemp(prefix="kiosk-cage-py-"))
    try:
        for sub in ("runtime", "data", "config", "cache"):
            (home / sub).mkdir(mode=0o700)
        for path in (home, *home.iterdir()):
            os.chown(path, user.pw_uid, user.pw_gid)
        os.chmod(home, 0o700)
        policy_folder(top, policy_files)
        kiosk = [sys.executable, "-m", "kiosk"]
        command = [part for word in app for part in (kiosk if word == "{kiosk}" else [word])]
        variables = {
            "PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_RUNTIME_DIR": str(home / "runtime"),
            "XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"), "KIOSK_MODEL_DIR": str(REPO / "models"),
            "QT_QPA_PLATFORM": "wayland", **HEADLESS, **(env or {}),
        }  # fmt: skip
        inner = ["runuser", "-u", USER, "--", "env", "-i",
                 *(f"{k}={v}" for k, v in variables.items()), CAGE, *cage_options, "--",
                 "sh", "-c", _SAY_STATUS, "sh", *command]  # fmt: skip
        script = " && ".join([*_mounts(top / "etc", stash), 'exec "$@"'])
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "cage",
             *inner],
            cwd=REPO, capture_output=True, text=True, timeout=timeout,
        )  # fmt: skip
    finally:
        shutil.rmtree(top, ignore_errors=True)
        shutil.rmtree(stash, ignore_errors=True)
    found = trouble_in(done.stderr)
    assert not found, "the kiosk reported trouble:\n" + "\n".join(found)
    return CageRun(home, done)
