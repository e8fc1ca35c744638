r"""A school's managed policy: the settings an administrator locked, which nothing else changes.

On Linux it is ``/etc/kiosk/policy.toml``, then every ``/etc/kiosk/policy.d/*.toml`` in name
order (a later file's key wins). It holds the configuration file's own keys, validated the same
way, and each key it sets is locked: no configuration file, command-line option, ``.seb`` or
page can change it. The location is fixed here, never taken from the environment or the command
line, so a student cannot point the kiosk at a policy of their own; tests reach it as an
administrator would (a private mount namespace with their own ``/etc/kiosk``).

On macOS it is the managed preferences a configuration profile installs,
``/Library/Managed Preferences/org.kiosk-exam.kiosk.plist``: the same keys, as nested
dictionaries. On Windows it is ``HKLM\SOFTWARE\Policies\kiosk`` (kiosk/config/windows_policy.py).

A managed policy that cannot be read or is not valid stops the kiosk (exit 2): running with the
school's locks silently dropped would be the worse failure.
"""

from __future__ import annotations

import plistlib
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.config import settings as config_mod
from kiosk.platform.errors import UsageError

MANAGED_DIR = Path("/etc/kiosk")
MACOS_DOMAIN = "org.kiosk-exam.kiosk"
MACOS_PLIST = Path("/Library/Managed Preferences") / f"{MACOS_DOMAIN}.plist"
#: Keys only the managed policy may set (a user's file setting them is refused).
MANAGED_ONLY = {("engine", "unsafe_engine_allowance"), ("session", "start_url")}

Key = tuple[str, ...]


@dataclass(frozen=True)
class ManagedPolicy:
    values: dict[str, Any] = field(default_factory=dict)  # nested, as in the TOML files
    files: tuple[Path, ...] = ()
    origin: dict[Key, Path] = field(default_factory=dict)  # the file that set each key

    def locked(self, key: Key) -> bool:
        """Whether ``key`` (or a table above it) is set by the policy."""
        return any(key[: len(k)] == k for k in self.origin)

    def file_of(self, key: Key) -> Path | None:
        return next((p for k, p in self.origin.items() if key[: len(k)] == k), None)


def leaves(values: Mapping[str, Any], above: Key = ()) -> Iterator[tuple[Key, Any]]:
    """Every key that holds a value rather than a table, with its path."""
    for name, value in values.items():
        if isinstance(value, Mapping):  # an empty table sets nothing
            yield from leaves(value, (*above, str(name)))
        else:
            yield (*above, str(name)), value


def merged(low: Mapping[str, Any], high: Mapping[str, Any]) -> dict[str, Any]:
    """``high`` over ``low``, table by table; a value (a list included) replaces a value."""
    out = dict(low)
    for name, value in high.items():
        if isinstance(value, Mapping) and isinstance(out.get(name), Mapping):
            out[name] = merged(out[name], value)
        else:
            out[name] = value
    return out


def _read(path: Path) -> dict[str, Any]:
    """One file's settings; each file alone must be valid, so an error names its file."""
    what = f"managed policy {path}"
    plist = path.suffix == ".plist"
    data, _ = config_mod.read_settings(
        path, what, (lambda raw: _plist(raw, what)) if plist else None
    )
    return data


def _plist(raw: bytes, what: str) -> dict[str, Any]:
    try:
        data = plistlib.loads(raw)  # XML or binary, as a profile installs it
    except (plistlib.InvalidFileException, ValueError) as exc:
        raise UsageError(f"{what}: not a property list ({exc})") from None
    if not isinstance(data, dict):
        raise UsageError(f"{what}: not a dictionary of settings")
    return data


def policy_files(root: Path | None = None) -> list[Path]:
    """The policy's files, in the order they apply: under ``root`` when given (tests pass their
    own folder; the kiosk never does), else at this platform's fixed place."""
    if root is None and sys.platform == "darwin":
        return [MACOS_PLIST] if MACOS_PLIST.exists() else []
    root = MANAGED_DIR if root is None else root
    files = [root / "policy.toml"] if (root / "policy.toml").exists() else []
    folder = root / "policy.d"
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    return files


def load_managed(root: Path | None = None) -> ManagedPolicy:
    """The policy in force (``root``: see ``policy_files``)."""
    if root is None and sys.platform == "win32":
        from kiosk.config.windows_policy import WHERE, read_registry

        found = read_registry()
        if found is None:
            return ManagedPolicy()
        return ManagedPolicy(found, (Path(WHERE),), {k: Path(WHERE) for k, _ in leaves(found)})
    files = policy_files(root)
    values: dict[str, Any] = {}
    origin: dict[Key, Path] = {}
    for path in files:
        data = _read(path)
        values = merged(values, data)
        for key, _ in leaves(data):
            origin = {k: p for k, p in origin.items() if k[: len(key)] != key}
            origin[key] = path
    return ManagedPolicy(values, tuple(files), origin)
