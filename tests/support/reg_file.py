r"""A ``.reg`` file (regedit's export format) read into registry keys, for the Windows policy
reader (kiosk/config/windows_policy.py) to walk as it walks the real registry on Windows.

Reads what regedit writes: UTF-16 with a byte-order mark (or the old ANSI ``REGEDIT4``), a
``[HKEY_...\path]`` line per key, then ``"name"="text"``, ``"name"=dword:hex``,
``"name"=hex(b):..`` (QWORD), ``"name"=hex(7):..`` (multi-string) and ``"name"=hex:..`` lines.
"""

from __future__ import annotations

import types
from collections.abc import Iterable
from dataclasses import dataclass, field

from kiosk.config.windows_policy import REG_DWORD, REG_QWORD, REG_SZ, RegistryKey

REG_BINARY, REG_MULTI_SZ = 3, 7


@dataclass
class RegKey:
    named: dict[str, tuple[object, int]] = field(default_factory=dict)
    children: dict[str, RegKey] = field(default_factory=dict)

    def values(self) -> Iterable[tuple[str, object, int]]:
        return [(n, d, k) for n, (d, k) in self.named.items()]

    def subkeys(self) -> Iterable[tuple[str, RegistryKey]]:
        return list(self.children.items())


def _quoted(text: str, at: int) -> tuple[str, int]:
    """The quoted string starting at ``text[at]``, unescaped, and the index after it."""
    assert text[at] == '"', text
    out, i = [], at + 1
    while text[i] != '"':
        if text[i] == "\\":
            i += 1
        out.append(text[i])
        i += 1
    return "".join(out), i + 1


def _data(raw: str) -> tuple[object, int]:
    if raw.startswith('"'):
        return _quoted(raw, 0)[0], REG_SZ
    if raw.startswith("dword:"):
        return int(raw[6:], 16), REG_DWORD
    kind, _, hexes = raw.partition(":")
    data = bytes(int(h, 16) for h in hexes.replace("\\", "").split(",") if h.strip())
    if kind == "hex(b)":
        return int.from_bytes(data, "little"), REG_QWORD
    if kind == "hex(7)":
        return [s for s in data.decode("utf-16-le").split("\0") if s], REG_MULTI_SZ
    return data, REG_BINARY


def read_reg(raw: bytes, root: str) -> RegKey:
    """The key ``root`` (``HKEY_LOCAL_MACHINE\\...``) and everything under it in the file."""
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode()
    lines = text.replace("\\\r\n", "").replace("\\\n", "").splitlines()
    assert lines[0].strip() in ("Windows Registry Editor Version 5.00", "REGEDIT4"), lines[0]
    top, current = RegKey(), None
    for line in (x.strip() for x in lines[1:]):
        if not line or line.startswith(";"):
            continue
        if line.startswith("["):
            path = line[1:-1]
            current = None
            if path == root or path.startswith(root + "\\"):
                current = top
                for part in path[len(root) :].split("\\")[1:]:
                    current = current.children.setdefault(part, RegKey())
            continue
        if current is None:
            continue
        if line.startswith("@="):
            name, rest = "", line[2:]
        else:
            name, end = _quoted(line, 0)
            rest = line[end + 1 :]
        current.named[name] = _data(rest)
    return top


def as_winreg(top: RegKey | None) -> types.ModuleType:
    """A module with the part of Windows' ``winreg`` the policy reader calls, over ``top`` as
    HKLM\\SOFTWARE\\Policies\\kiosk (None: that key does not exist)."""
    module = types.ModuleType("winreg")
    hklm = object()

    def open_key(parent: object, path: str) -> RegKey:
        if parent is hklm:
            if top is None or path != r"SOFTWARE\Policies\kiosk":
                raise FileNotFoundError(2, "The system cannot find the file specified")
            return top
        assert isinstance(parent, RegKey)
        return parent.children[path]

    def query_info_key(key: RegKey) -> tuple[int, int, int]:
        return len(key.children), len(key.named), 0

    def enum_value(key: RegKey, index: int) -> tuple[str, object, int]:
        return list(key.values())[index]

    def enum_key(key: RegKey, index: int) -> str:
        return list(key.children)[index]

    module.__dict__.update(
        HKEY_LOCAL_MACHINE=hklm,
        OpenKey=open_key,
        QueryInfoKey=query_info_key,
        EnumValue=enum_value,
        EnumKey=enum_key,
    )
    return module
