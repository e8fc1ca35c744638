"""What an installed kiosk registers with the desktop, one source for every platform.

Links (``seb://``, ``sebs://``, ``kiosk://``, ``kiosks://``) and ``.seb`` files open the kiosk
with ``run --untrusted-args``, so nothing in a link can be read as an option; the managed policy
has a fixed place on each. ``python packaging/registration.py`` writes the files installers
take (the Linux desktop entry and MIME type, the Windows installer's script, the macOS
Info.plist) into packaging/; a test fails when they drift from this module. The Windows and
macOS files are written and parsed here, not built or run: no such machine exists here.
"""

from __future__ import annotations

import plistlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # run as a script from a checkout
from kiosk.config import windows_policy  # noqa: E402
from kiosk.config.managed import MACOS_PLIST, MANAGED_DIR  # noqa: E402
from kiosk.platform.version import VERSION  # noqa: E402

SCHEMES = ("seb", "sebs", "kiosk", "kiosks")
SEB_MIME = "application/seb"
SEB_EXTENSION = "seb"
BUNDLE_ID = "org.kiosk-exam.kiosk"
DESKTOP_FILE = "kiosk.desktop"
#: Where each platform's managed policy lives, as the code that reads it names it.
MANAGED_POLICY = {
    "linux": str(MANAGED_DIR / "policy.toml"),
    "windows": windows_policy.WHERE,
    "macos": str(MACOS_PLIST),
}


def desktop_entry() -> str:
    mime = ";".join([*(f"x-scheme-handler/{s}" for s in SCHEMES), SEB_MIME]) + ";"
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=kiosk exam browser",
        "Comment=Opens an online exam locked down and proctored on this computer",
        "Exec=kiosk run --untrusted-args %u",
        "Terminal=false",
        "NoDisplay=true",
        "Categories=Education;",
        f"MimeType={mime}",
        "",
    ])  # fmt: skip


CAGE = "/usr/bin/cage"


def xsession_entry() -> str:
    """The kiosk login session (/usr/share/xsessions): a display manager starts a bare X server
    whose only client is the kiosk, opening the managed policy's session.start_url."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=kiosk exam session",
        "Comment=Only the exam: the kiosk is this session's one program, with no desktop",
        "Exec=/usr/bin/kiosk session",
        "",
    ])  # fmt: skip


def wayland_session_entry() -> str:
    """The kiosk login session on Wayland (/usr/share/wayland-sessions): cage, a kiosk
    compositor, with the kiosk its only program (no ``-s``: no switching to another console),
    on Qt's Wayland platform (as tested; not X11 through Xwayland, whatever the display manager
    sets). Listed only where cage is installed (TryExec); the package recommends it."""
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        "Name=kiosk exam session (Wayland)",
        "Comment=Only the exam: the kiosk is the one program of its own cage compositor",
        f"TryExec={CAGE}",
        f"Exec=env QT_QPA_PLATFORM=wayland {CAGE} -- /usr/bin/kiosk session",
        "",
    ])  # fmt: skip


def mime_package() -> str:
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">',
        f'  <mime-type type="{SEB_MIME}">',
        "    <comment>Safe Exam Browser configuration</comment>",
        f'    <glob pattern="*.{SEB_EXTENSION}"/>',
        "  </mime-type>",
        "</mime-info>",
        "",
    ])  # fmt: skip


def inno_setup() -> str:
    """Inno Setup's script: the URL schemes and the file type in HKLM, the policy's key."""
    command = '"{app}\\kiosk.exe" run --untrusted-args "%1"'
    reg = []
    for scheme in SCHEMES:
        key = f"Software\\Classes\\{scheme}"
        reg += [
            f'Root: HKLM; Subkey: "{key}"; ValueType: string; ValueName: ""; '
            f'ValueData: "URL:{scheme} exam link"; Flags: uninsdeletekey',
            f'Root: HKLM; Subkey: "{key}"; ValueType: string; ValueName: "URL Protocol"; '
            'ValueData: ""',
            f'Root: HKLM; Subkey: "{key}\\shell\\open\\command"; ValueType: string; '
            f'ValueName: ""; ValueData: "{command.replace(chr(34), chr(34) * 2)}"',
        ]
    reg += [
        f'Root: HKLM; Subkey: "Software\\Classes\\.{SEB_EXTENSION}"; ValueType: string; '
        'ValueName: ""; ValueData: "kiosk.seb"; Flags: uninsdeletevalue',
        f'Root: HKLM; Subkey: "Software\\Classes\\.{SEB_EXTENSION}"; ValueType: string; '
        f'ValueName: "Content Type"; ValueData: "{SEB_MIME}"',
        'Root: HKLM; Subkey: "Software\\Classes\\kiosk.seb\\shell\\open\\command"; '
        f'ValueType: string; ValueName: ""; ValueData: "{command.replace(chr(34), chr(34) * 2)}"; '
        "Flags: uninsdeletekey",
        # The managed policy's key exists, empty, for an administrator's Group Policy to fill;
        # an uninstall leaves what they put there.
        'Root: HKLM; Subkey: "SOFTWARE\\Policies\\kiosk"; ValueType: none; '
        "Flags: uninsdeletekeyifempty",
    ]
    return "\n".join([
        "; Generated by packaging/registration.py: edit that, then run it.",
        "[Setup]",
        "AppName=kiosk",
        f"AppVersion={VERSION}",
        "DefaultDirName={autopf}\\kiosk",
        "PrivilegesRequired=admin",
        "ArchitecturesInstallIn64BitMode=x64compatible",
        "",
        "[Files]",
        'Source: "dist\\kiosk\\*"; DestDir: "{app}"; Flags: recursesubdirs',
        "",
        "[Registry]",
        *reg,
        "",
    ])  # fmt: skip


def info_plist() -> bytes:
    return plistlib.dumps({
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleName": "kiosk",
        "CFBundleExecutable": "kiosk",
        "CFBundlePackageType": "APPL",
        "CFBundleShortVersionString": VERSION,
        "LSMinimumSystemVersion": "12.0",
        "CFBundleURLTypes": [
            {"CFBundleURLName": f"{BUNDLE_ID}.{s}", "CFBundleURLSchemes": [s]} for s in SCHEMES
        ],
        "CFBundleDocumentTypes": [{
            "CFBundleTypeName": "Safe Exam Browser configuration",
            "CFBundleTypeRole": "Viewer",
            "LSHandlerRank": "Owner",
            "LSItemContentTypes": [f"{BUNDLE_ID}.seb"],
        }],
        "UTExportedTypeDeclarations": [{
            "UTTypeIdentifier": f"{BUNDLE_ID}.seb",
            "UTTypeDescription": "Safe Exam Browser configuration",
            "UTTypeConformsTo": ["public.data"],
            "UTTypeTagSpecification": {
                "public.filename-extension": [SEB_EXTENSION],
                "public.mime-type": [SEB_MIME],
            },
        }],
        "NSCameraUsageDescription": "The exam is proctored on this computer: faces are counted "
        "and photos taken only during the exam, and they do not leave it.",
        "NSMicrophoneUsageDescription": "The exam is proctored on this computer: the sound "
        "level is measured during the exam, and nothing is recorded.",
    })  # fmt: skip


#: The example policy's settings (docs: kiosk/config/windows_policy.py), by registry subkey.
EXAMPLE_POLICY: dict[str, list[tuple[str, str, object]]] = {
    "policy": [
        ("require_lockdown", "dword", 1),
        ("allow_zoom", "dword", 0),
        ("clipboard", "sz", "isolated"),
        ("url_filter", "sz", 'json:[{"expression": "exam.school.example", "action": "allow"}]'),
    ],
    "session": [("start_url", "sz", "https://exam.school.example/")],
}


def _reg_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def policy_reg() -> bytes:
    """An example of the Windows managed policy as a ``.reg`` file (regedit's own format:
    UTF-16 with a byte-order mark, CRLF lines), for an administrator to edit and import, or to
    turn into Group Policy preferences."""
    root = f"HKEY_LOCAL_MACHINE\\{windows_policy.KEY_PATH}"
    lines = [
        "Windows Registry Editor Version 5.00",
        "",
        "; The kiosk's managed policy: every setting here is locked for every user of this",
        "; computer. The keys are the configuration file's (docs/configuration.md): a table is a",
        "; subkey, a setting a value. REG_DWORD for whole numbers and for switches (0 off, 1 on),",
        '; REG_SZ for text and for decimal numbers ("2.5"), REG_SZ starting json: for a list',
        "; of tables (url_filter). An example to edit before importing it.",
        "",
        f"[{root}]",
        "",
    ]
    for table, values in EXAMPLE_POLICY.items():
        lines.append(f"[{root}\\{table}]")
        for name, kind, value in values:
            data = f"dword:{value:08x}" if kind == "dword" else _reg_text(str(value))
            lines.append(f"{_reg_text(name)}={data}")
        lines.append("")
    return "\ufeff".join(["", "\r\n".join(lines) + "\r\n"]).encode("utf-16-le")


#: Each generated file, by its place under packaging/.
FILES = {
    f"linux/{DESKTOP_FILE}": lambda: desktop_entry().encode(),
    "linux/kiosk-seb.xml": lambda: mime_package().encode(),
    "linux/kiosk-xsession.desktop": lambda: xsession_entry().encode(),
    "linux/kiosk-wayland-session.desktop": lambda: wayland_session_entry().encode(),
    "windows/kiosk.iss": lambda: inno_setup().encode(),
    "windows/kiosk-policy.reg": policy_reg,
    "macos/Info.plist": info_plist,
}


def main() -> int:
    for name, make in FILES.items():
        path = HERE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(make())
        print(f"wrote {path.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
