"""The configuration of one run, layer over layer, and where each value came from.

From the lowest: the built-in defaults, the configuration file (``--config``), the exam's own
configuration (a ``.seb`` file or what a ``seb://`` link served), the command line, and the
school's managed policy, whose keys are locked. A command-line option that would change a
locked key is refused (exit 2) rather than ignored; a file or an exam's configuration that sets
one is overruled, and ``kiosk config show`` says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kiosk.config.managed import MANAGED_ONLY, Key, ManagedPolicy, leaves, merged
from kiosk.config.settings import KioskConfig
from kiosk.platform.errors import UsageError

#: The command-line options that set a configuration key.
OPTIONS: dict[Key, str] = {
    ("devices", "camera"): "--camera",
    ("devices", "microphone"): "--microphone",
    ("session", "data_dir"): "--data-dir",
    ("session", "event_log"): "--event-log",
    ("session", "autostart"): "--autostart",
    ("window", "windowed"): "--windowed",
}


@dataclass(frozen=True)
class Row:
    key: str  # dotted, as in the TOML file
    value: Any
    source: str  # default, file, seb, command line or managed
    locked: bool


@dataclass(frozen=True)
class Layers:
    file: dict[str, Any] = field(default_factory=dict)
    seb: dict[str, Any] = field(default_factory=dict)
    cli: dict[str, Any] = field(default_factory=dict)
    managed: ManagedPolicy = field(default_factory=ManagedPolicy)

    def __post_init__(self) -> None:
        for key, _ in leaves(self.file):
            if key in MANAGED_ONLY:
                raise UsageError(f"{'.'.join(key)}: only the managed policy may set it")
        for key, value in leaves(self.cli):
            if self.managed.locked(key) and str(_at(self.managed.values, key)) != str(value):
                where = self.managed.file_of(key)
                raise UsageError(
                    f"{OPTIONS.get(key, '.'.join(key))}: locked by the managed policy ({where})"
                )

    def config(self) -> KioskConfig:
        values: dict[str, Any] = {}
        for layer in (self.file, self.seb, self.cli, self.managed.values):
            values = merged(values, layer)
        return KioskConfig.model_validate(values)

    def source_of(self, key: Key) -> str:
        if self.managed.locked(key):
            return "managed"
        for name, layer in (("command line", self.cli), ("seb", self.seb), ("file", self.file)):
            if any(key[: len(k)] == k for k, _ in leaves(layer)):
                return name
        return "default"

    def rows(self) -> list[Row]:
        shown = json.loads(self.config().model_dump_json())
        return [
            Row(".".join(key), value, self.source_of(key), self.managed.locked(key))
            for key, value in leaves(shown)
        ]


def _at(values: dict[str, Any], key: Key) -> Any:
    for name in key:
        if not isinstance(values, dict) or name not in values:
            return None
        values = values[name]
    return values


def as_text(rows: list[Row]) -> str:
    width = max(len(r.key) for r in rows)
    lines = [f"{'key':<{width}}  {'source':<12}  value"]
    for r in rows:
        lock = " (locked)" if r.locked else ""
        lines.append(f"{r.key:<{width}}  {r.source + lock:<12}  {json.dumps(r.value)}")
    return "\n".join(lines)
