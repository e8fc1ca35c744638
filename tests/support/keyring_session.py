"""Runs kiosk commands against a real Secret Service: gnome-keyring in a private D-Bus session.

``python tests/support/keyring_session.py STEPS_JSON`` runs inside ``dbus-run-session`` with
gnome-keyring-daemon unlocked (see ``in_secret_service``). Each step is ``{"argv": [...],
"stdin": "..."}`` (a ``kiosk`` command) or ``{"lookup": NAME}`` (what the Secret Service itself
holds for kiosk's secret NAME, read with secretstorage, not through kiosk); the last line of
output is the JSON list of what each step gave.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

PASSWORD = "the login keyring's password"


def in_secret_service(home: Path, steps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The steps' results, in a fresh session whose keyrings live under ``home``."""
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    script = (
        'printf %s "$0" | gnome-keyring-daemon --unlock --components=secrets >/dev/null'
        ' && exec "$@"'
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script, PASSWORD, sys.executable, __file__,
         json.dumps(steps)],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


def _lookup(name: str) -> list[str]:
    import secretstorage

    bus = secretstorage.dbus_init()
    items = secretstorage.search_items(bus, {"service": "kiosk", "username": name})
    return [item.get_secret().decode() for item in items]


def main() -> None:
    out = []
    for step in json.loads(sys.argv[1]):
        if "lookup" in step:
            out.append({"held": _lookup(step["lookup"])})
            continue
        done = subprocess.run(
            [sys.executable, "-m", "kiosk", *step["argv"]], input=step.get("stdin", ""),
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        out.append({"rc": done.returncode, "out": done.stdout.strip(), "err": done.stderr.strip()})
    print(json.dumps(out))


if __name__ == "__main__":
    main()
