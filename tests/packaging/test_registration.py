"""The files installers take, parsed as each platform would read them (Windows and macOS are
not built or run here: their files are checked by what they say)."""

from __future__ import annotations

import configparser
import importlib.util
import plistlib
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from types import ModuleType

import pytest

from kiosk.config.managed import MACOS_PLIST
from tests.support.paths import REPO

PACKAGING = REPO / "packaging"


def _registration() -> ModuleType:
    spec = importlib.util.spec_from_file_location("registration", PACKAGING / "registration.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


REG = _registration()
SCHEMES = {"seb", "sebs", "kiosk", "kiosks"}


@pytest.mark.parametrize("name", sorted(REG.FILES))
def test_each_file_is_what_the_generator_writes(name: str) -> None:
    assert (PACKAGING / name).read_bytes() == REG.FILES[name](), (
        f"packaging/{name} drifted: run python packaging/registration.py"
    )


def test_the_desktop_entry_opens_every_link_and_seb_files_untrusted() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str  # type: ignore[assignment,method-assign]
    entry.read(PACKAGING / "linux" / "kiosk.desktop")
    desktop = entry["Desktop Entry"]
    assert desktop["Exec"] == "kiosk run --untrusted-args %u"
    types = set(desktop["MimeType"].rstrip(";").split(";"))
    assert types == {f"x-scheme-handler/{s}" for s in SCHEMES} | {"application/seb"}
    validate = shutil.which("desktop-file-validate")
    assert validate is not None, "desktop-file-utils is needed (make setup)"
    done = subprocess.run([validate, str(PACKAGING / "linux" / "kiosk.desktop")],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_login_session_runs_only_the_kiosk() -> None:
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(PACKAGING / "linux" / "kiosk-xsession.desktop")
    assert entry["Desktop Entry"]["Exec"] == "/usr/bin/kiosk session"
    path = PACKAGING / "linux" / "kiosk-xsession.desktop"
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_wayland_login_session_runs_only_the_kiosk_in_cage() -> None:
    path = PACKAGING / "linux" / "kiosk-wayland-session.desktop"
    entry = configparser.ConfigParser(interpolation=None)
    entry.read(path)
    section = entry["Desktop Entry"]
    # no -s before --: cage then refuses to switch to another console
    assert section["Exec"] == "env QT_QPA_PLATFORM=wayland /usr/bin/cage -- /usr/bin/kiosk session"
    assert section["TryExec"] == "/usr/bin/cage"
    done = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_the_mime_type_names_seb_files() -> None:
    ns = {"m": "http://www.freedesktop.org/standards/shared-mime-info"}
    root = ET.parse(PACKAGING / "linux" / "kiosk-seb.xml").getroot()
    kind = root.find("m:mime-type", ns)
    assert kind is not None and kind.get("type") == "application/seb"
    globs = [g.get("pattern") for g in kind.findall("m:glob", ns)]
    assert globs == ["*.seb"]


def _registry(text: str) -> list[dict[str, str]]:
    """Inno Setup's [Registry] lines as key/value maps (its own quoting: "" inside quotes)."""
    section = text.split("[Registry]\n", 1)[1]
    rows = []
    for line in section.splitlines():
        if not line.strip() or line.startswith(";"):
            continue
        fields = re.findall(r'(\w+): ("(?:[^"]|"")*"|[^;]*)', line)
        rows.append({k: v[1:-1].replace('""', '"') if v.startswith('"') else v.strip()
                     for k, v in fields})  # fmt: skip
    return rows


def test_the_windows_installer_registers_links_seb_files_and_the_policy_key() -> None:
    rows = _registry((PACKAGING / "windows" / "kiosk.iss").read_text())
    assert all(r["Root"] == "HKLM" for r in rows)
    command = '"{app}\\kiosk.exe" run --untrusted-args "%1"'
    for scheme in SCHEMES:
        key = f"Software\\Classes\\{scheme}"
        assert any(r["Subkey"] == key and r["ValueName"] == "URL Protocol" for r in rows)
        opened = [r for r in rows if r["Subkey"] == key + "\\shell\\open\\command"]
        assert [r["ValueData"] for r in opened] == [command]
    seb = [r for r in rows if r["Subkey"] == "Software\\Classes\\.seb" and r["ValueName"] == ""]
    assert [r["ValueData"] for r in seb] == ["kiosk.seb"]
    handler = [
        r for r in rows if r["Subkey"] == "Software\\Classes\\kiosk.seb\\shell\\open\\command"
    ]
    assert [r["ValueData"] for r in handler] == [command]
    policy = [r for r in rows if r["Subkey"] == "SOFTWARE\\Policies\\kiosk"]
    assert policy and "uninsdeletekeyifempty" in policy[0]["Flags"]  # an admin's values stay
    assert REG.MANAGED_POLICY["windows"] == "HKLM\\SOFTWARE\\Policies\\kiosk"


def test_the_macos_bundle_claims_the_schemes_and_seb_files() -> None:
    plist = plistlib.loads((PACKAGING / "macos" / "Info.plist").read_bytes())
    schemes = {s for t in plist["CFBundleURLTypes"] for s in t["CFBundleURLSchemes"]}
    assert schemes == SCHEMES
    declared = plist["UTExportedTypeDeclarations"][0]
    assert declared["UTTypeTagSpecification"]["public.filename-extension"] == ["seb"]
    assert plist["CFBundleDocumentTypes"][0]["LSItemContentTypes"] == [declared["UTTypeIdentifier"]]
    assert plist["NSCameraUsageDescription"] and plist["NSMicrophoneUsageDescription"]
    assert REG.MANAGED_POLICY["macos"].endswith(f"{plist['CFBundleIdentifier']}.plist")
    assert REG.MANAGED_POLICY["macos"] == str(MACOS_PLIST)  # where the kiosk reads it
