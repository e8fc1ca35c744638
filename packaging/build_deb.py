"""Builds dist/kiosk_<version>_<arch>.deb from the PyInstaller bundle in dist/kiosk/.

The package installs the bundle to /opt/kiosk with /usr/bin/kiosk, the desktop entry that
registers the seb, sebs, kiosk and kiosks schemes and .seb files, the application/seb MIME
type, and a commented managed policy at /etc/kiosk/policy.toml (a conffile: an administrator's
edits survive upgrades and removal). Installing and removing it updates the desktop and MIME
databases. Its dependencies are the system libraries the bundle loads (the runtime group of
scripts/ensure-system-packages.sh).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "packaging"))
import registration  # noqa: E402

from kiosk.platform.version import VERSION  # noqa: E402

POLICY = """\
# kiosk's managed policy: every key set here is locked for every user of this computer
# (docs/configuration.md lists the keys; `kiosk config show` says what is in force).
# Files in /etc/kiosk/policy.d/*.toml are read after this one, in name order.

[engine]
# Nothing in any user's environment may weaken the web engine (its sandbox, remote debugging).
unsafe_engine_allowance = false

# [policy]
# clipboard = "block"
# quit_password_hash = "<sha256 hex of the quit password>"
# url_filter = [{ expression = "exam.example.org", action = "allow" }]
"""

MAINTAINER_SCRIPT = """\
#!/bin/sh
set -e
if command -v update-desktop-database >/dev/null 2>&1; then
  update-desktop-database -q /usr/share/applications || true
fi
if command -v update-mime-database >/dev/null 2>&1; then
  update-mime-database /usr/share/mime || true
fi
"""


def runtime_packages() -> list[str]:
    text = (ROOT / "scripts" / "ensure-system-packages.sh").read_text()
    block = re.search(r"^runtime=\((.*?)^\)", text, re.M | re.S)
    assert block is not None
    words = [w for line in block.group(1).splitlines() for w in line.split("#")[0].split()]
    return sorted(set(words) - {"xvfb", "xauth"})  # the demo's own X server is optional


def build(bundle: Path, out: Path) -> Path:
    arch = subprocess.run(["dpkg", "--print-architecture"], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip
    stage = ROOT / "build" / "deb" / f"kiosk_{VERSION}_{arch}"
    shutil.rmtree(stage, ignore_errors=True)
    shutil.copytree(bundle, stage / "opt" / "kiosk", symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "kiosk").symlink_to("/opt/kiosk/kiosk")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    (apps / registration.DESKTOP_FILE).write_text(registration.desktop_entry())
    sessions = stage / "usr" / "share" / "xsessions"
    sessions.mkdir(parents=True)
    (sessions / "kiosk.desktop").write_text(registration.xsession_entry())
    wayland = stage / "usr" / "share" / "wayland-sessions"
    wayland.mkdir(parents=True)
    (wayland / "kiosk.desktop").write_text(registration.wayland_session_entry())
    mime = stage / "usr" / "share" / "mime" / "packages"
    mime.mkdir(parents=True)
    (mime / "kiosk-seb.xml").write_text(registration.mime_package())
    (stage / "etc" / "kiosk").mkdir(parents=True)
    (stage / "etc" / "kiosk" / "policy.toml").write_text(POLICY)
    debian = stage / "DEBIAN"
    debian.mkdir()
    size_kb = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file()) // 1024
    (debian / "control").write_text(
        "Package: kiosk\n"
        f"Version: {VERSION}\n"
        f"Architecture: {arch}\n"
        "Maintainer: kiosk developers <kiosk@localhost>\n"
        f"Installed-Size: {size_kb}\n"
        f"Depends: {', '.join(runtime_packages())}\n"
        "Recommends: xvfb, xauth, xdg-utils, gnome-keyring, cage, xwayland\n"
        "Section: education\n"
        "Priority: optional\n"
        "Description: lockdown exam browser with on-device proctoring\n"
        " Opens an online exam fullscreen with the computer locked down, and proctors the\n"
        " session on this computer; opens seb:// links and .seb files.\n"
    )
    (debian / "conffiles").write_text("/etc/kiosk/policy.toml\n")
    for name in ("postinst", "postrm"):
        (debian / name).write_text(MAINTAINER_SCRIPT)
        (debian / name).chmod(0o755)
    out.mkdir(parents=True, exist_ok=True)
    deb = out / f"kiosk_{VERSION}_{arch}.deb"
    subprocess.run(["dpkg-deb", "--root-owner-group", "-Zxz", "-z1", "--build", str(stage),
                    str(deb)], check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    return deb


if __name__ == "__main__":
    print(build(ROOT / "dist" / "kiosk", ROOT / "dist"))
