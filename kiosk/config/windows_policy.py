r"""The managed policy on Windows: ``HKLM\SOFTWARE\Policies\kiosk``, where Group Policy puts it.

The same keys as the configuration file: a table is a subkey (``...\kiosk\policy``), a setting is
a value in it (``allow_zoom``). A value's registry type gives its kind: REG_DWORD or REG_QWORD a
whole number (0 or 1 for a setting that is on or off), REG_SZ text (a decimal number where the
setting is one: ``"2.5"``). A setting that is a list of tables (``url_filter``) is REG_SZ text
starting ``json:``, then JSON.
Only HKLM is read (an administrator's, not the student's HKCU), at this fixed place.

Not run here: ``winreg`` exists only on Windows. The walk from a key to the settings is the same
on every platform; tests give it a key read from a ``.reg`` file, as regedit exports one.
"""

from __future__ import annotations

import importlib
import json
import types
import typing
from collections.abc import Iterable
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from kiosk.config.settings import KioskConfig
from kiosk.platform.errors import UsageError
from kiosk.platform.validation import describe

KEY_PATH = r"SOFTWARE\Policies\kiosk"
WHERE = rf"HKLM\{KEY_PATH}"
JSON_PREFIX = "json:"
# winreg's type numbers (winreg.REG_SZ ...), named here so this reads on every platform.
REG_SZ, REG_EXPAND_SZ, REG_DWORD, REG_QWORD = 1, 2, 4, 11


class RegistryKey(Protocol):
    """What the walk reads of a key: winreg's on Windows, a parsed ``.reg`` file in tests."""

    def values(self) -> Iterable[tuple[str, object, int]]: ...  # (name, data, type)
    def subkeys(self) -> Iterable[tuple[str, RegistryKey]]: ...


def settings_of(key: RegistryKey, where: str = WHERE) -> dict[str, Any]:
    """The settings under ``key``, nested as in the TOML file, validated as the file is; each
    problem names the registry value it is in."""
    data = _table(key, (), where)
    try:
        KioskConfig.model_validate(data)
    except ValidationError as exc:
        raise UsageError(f"managed policy {where}: {describe(exc)}") from None
    return data


def _table(key: RegistryKey, above: tuple[str, ...], where: str) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, data, kind in key.values():
        if name == "":  # a key's default value: not a setting
            continue
        table[name] = _value((*above, name), data, kind, f"{where}\\{name}")
    for name, sub in key.subkeys():
        table[name] = _table(sub, (*above, name), f"{where}\\{name}")
    return table


def _value(path: tuple[str, ...], data: object, kind: int, where: str) -> Any:
    if kind in (REG_DWORD, REG_QWORD) and isinstance(data, int):
        if _leaf_type(path) is bool:
            if data not in (0, 1):
                raise UsageError(f"managed policy {where}: 0 (off) or 1 (on), not {data}")
            return bool(data)
        return data
    if kind in (REG_SZ, REG_EXPAND_SZ) and isinstance(data, str):
        if _leaf_type(path) is float:
            try:
                return float(data)
            except ValueError:
                raise UsageError(f"managed policy {where}: a number, not {data!r}") from None
        if not data.startswith(JSON_PREFIX):
            return data
        try:
            return json.loads(data[len(JSON_PREFIX) :])
        except json.JSONDecodeError as exc:
            raise UsageError(
                f"managed policy {where}: not valid JSON after json: ({exc})"
            ) from None
    raise UsageError(
        f"managed policy {where}: a registry value of type {kind}; settings are REG_DWORD, "
        "REG_QWORD or REG_SZ"
    )


def _leaf_type(path: tuple[str, ...]) -> object:
    """The type of the setting at ``path`` in the configuration's model (None: no such one);
    ``bool`` or ``float`` for ``X | None`` as for ``X``."""
    model: type[BaseModel] = KioskConfig
    for name in path[:-1]:
        field = model.model_fields.get(name)
        inner = None if field is None else _model(field.annotation)
        if inner is None:
            return None
        model = inner
    field = model.model_fields.get(path[-1])
    if field is None:
        return None
    annotation = field.annotation
    options = typing.get_args(annotation) if isinstance(annotation, types.UnionType) else ()
    return next((t for t in (bool, float) if annotation is t or t in options), annotation)


def _model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _winreg() -> Any:
    """Windows' registry module (imported by name: it exists only there)."""
    return importlib.import_module("winreg")


class _WinregKey:
    """A key of the real registry (Windows only)."""

    def __init__(self, handle: Any) -> None:
        self._handle = handle

    def values(self) -> Iterable[tuple[str, object, int]]:
        winreg = _winreg()
        count = winreg.QueryInfoKey(self._handle)[1]
        return [winreg.EnumValue(self._handle, i) for i in range(count)]

    def subkeys(self) -> Iterable[tuple[str, RegistryKey]]:
        winreg = _winreg()
        count = winreg.QueryInfoKey(self._handle)[0]
        names = [winreg.EnumKey(self._handle, i) for i in range(count)]
        return [(n, _WinregKey(winreg.OpenKey(self._handle, n))) for n in names]


def read_registry() -> dict[str, Any] | None:
    """The policy in HKLM, or None when the key does not exist (nothing is managed)."""
    winreg = _winreg()
    try:
        handle = winreg.OpenKey(winreg.HKEY_LOCAL_MACHINE, KEY_PATH)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise UsageError(f"managed policy {WHERE}: cannot be read ({exc})") from None
    return settings_of(_WinregKey(handle))
