"""Installs dist/kiosk_<version>_<arch>.deb on this machine, checks the installed kiosk (not
the source tree), and removes it again. Run as root by ``make package-check`` (and CI).

What it checks: the program is /opt/kiosk's; every scheme and ``application/seb`` open it;
the policy it ships refuses unsafe engine settings even to root's environment; an
unprivileged user's demo runs with Chromium's sandbox on; the kiosk runs inside cage on Wayland
(its Wayland session), where the shipped policy refuses cage's headless backend; a ``seb://``
link served over HTTP is fetched and read (its Config Key the fixture's known one); removing the
package leaves nothing behind but the managed policy an administrator may have edited.
"""

from __future__ import annotations

import http.server
import os
import pwd
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from kiosk.platform.version import VERSION  # noqa: E402
from tests.support.cage import HEADLESS  # noqa: E402
from tests.support.server import ReportServer  # noqa: E402

USER = "kiosk-check"  # an unprivileged user: Chromium's sandbox runs for them
FIXTURE = ROOT / "tests" / "data" / "seb" / "unencrypted_mac_001.seb"  # SEB for macOS wrote it
FIXTURE_KEY = "4fa9af8ec8759eb7c680752ef4ee5eaf1a860628608fccae2715d519849f9292"
SCHEMES = ("seb", "sebs", "kiosk", "kiosks")
CLEAN_ENV = {k: v for k, v in os.environ.items()
             if not k.startswith(("QTWEBENGINE_", "KIOSK_")) and k != "DISPLAY"}  # fmt: skip


def sh(*args: str, user: str | None = None, env: dict[str, str] | None = None,
       timeout: float = 120) -> subprocess.CompletedProcess[str]:  # fmt: skip
    command = list(args)
    if user is not None:
        command = ["runuser", "-u", user, "--", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          env=env if env is not None else CLEAN_ENV, cwd="/")  # fmt: skip
    print(f"$ {' '.join(args)} -> {done.returncode}", flush=True)
    return done


def check(ok: bool, what: str, done: subprocess.CompletedProcess[str] | None = None) -> None:
    if not ok:
        said = f"\n{done.stdout}\n{done.stderr}" if done is not None else ""
        raise SystemExit(f"check_installed: FAILED: {what}{said}")
    print(f"  ok: {what}", flush=True)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = lambda *a: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder))  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


def check_wayland_session(home: Path) -> None:
    """The installed kiosk inside cage, as its Wayland session runs it, on cage's headless
    backend (no screen here): it runs on Wayland, and the policy the package ships refuses a
    headless cage (4016: no screen the student sees is locked)."""
    user = pwd.getpwnam(USER)
    runtime = home / "cage-runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    os.chown(runtime, user.pw_uid, user.pw_gid)
    served = ReportServer()
    try:
        env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "HOME": str(home),
               "XDG_RUNTIME_DIR": str(runtime), "QT_QPA_PLATFORM": "wayland",
               **HEADLESS}  # fmt: skip
        ran = sh("cage", "--", "kiosk", "run", served.exam_url("cage", "setup,close"),
                 user=USER, env=env)  # fmt: skip
        reports = served.reports_of("cage")
    finally:
        served.close()
    setup = [r for r in reports if r.get("type") == "result" and r.get("step") == "setup"]
    errors = [r["detail"] for r in reports if r.get("name") == "apErrorEvent"]
    check(ran.returncode == 0 and len(setup) == 1 and setup[0].get("code") == 4016
          and "cage runs headless" in str(errors[0].get("cause") if errors else ""),
          "the installed kiosk runs in cage on Wayland; the shipped policy refuses it headless "
          "(4016)", ran)  # fmt: skip


def main(deb: Path) -> int:
    assert os.geteuid() == 0, "run as root: it installs a package"
    sh("dpkg", "--purge", "kiosk")  # a previous check's
    installed = sh("dpkg", "-i", str(deb), timeout=600)
    check(installed.returncode == 0, f"dpkg -i {deb.name}", installed)
    program = shutil.which("kiosk", path="/usr/bin")
    check(program is not None and Path(program).resolve() == Path("/opt/kiosk/kiosk"),
          "/usr/bin/kiosk is the bundle in /opt/kiosk, not a source tree")  # fmt: skip
    check(Path("/usr/share/xsessions/kiosk.desktop").exists(), "the kiosk login session entry")
    check(Path("/usr/share/wayland-sessions/kiosk.desktop").exists(),
          "the kiosk Wayland login session entry (cage)")  # fmt: skip
    version = sh("kiosk", "--version")
    check(version.stdout.strip() == f"kiosk {VERSION}", "kiosk --version", version)
    for kind in (*(f"x-scheme-handler/{s}" for s in SCHEMES), "application/seb"):
        found = sh("xdg-mime", "query", "default", kind)
        check(found.stdout.strip() == "kiosk.desktop", f"{kind} opens kiosk.desktop", found)
    unsafe = sh("kiosk", "run", "http://127.0.0.1:9/exam",
                env={**CLEAN_ENV, "QTWEBENGINE_DISABLE_SANDBOX": "1",
                     "KIOSK_TEST_ALLOW_UNSAFE_ENGINE": "1"})  # fmt: skip
    check(unsafe.returncode == 2 and "managed policy allows none" in unsafe.stderr,
          "the shipped policy refuses a disabled sandbox, even to root", unsafe)  # fmt: skip
    try:
        pwd.getpwnam(USER)
    except KeyError:
        sh("useradd", "--create-home", "--shell", "/bin/sh", USER)
    home = Path(pwd.getpwnam(USER).pw_dir)
    demo = sh("kiosk", "demo", user=USER, env={**CLEAN_ENV, "HOME": str(home)})
    check(demo.returncode == 0 and "finished with trust score 100" in demo.stdout,
          "an unprivileged user's demo runs, sandbox on, trust score 100", demo)  # fmt: skip
    check_wayland_session(home)
    folder = Path(sh("mktemp", "-d").stdout.strip())
    shutil.copy(FIXTURE, folder / "exam.seb")
    os.chmod(folder, 0o755)
    server, port = serve(folder)
    try:
        link = sh("kiosk", "seb", "inspect", f"seb://127.0.0.1:{port}/exam.seb", "--json",
                  user=USER, env={**CLEAN_ENV, "HOME": str(home)})  # fmt: skip
    finally:
        server.shutdown()
    read = "a seb:// link is fetched over HTTP and read: the fixture's Config Key"
    check(link.returncode == 0 and FIXTURE_KEY in link.stdout, read, link)
    removed = sh("dpkg", "-r", "kiosk")
    check(removed.returncode == 0, "dpkg -r kiosk", removed)
    ours = (
        "/opt/kiosk", "/usr/bin/kiosk", "/usr/share/applications/kiosk.desktop",
        "/usr/share/mime/packages/kiosk-seb.xml", "/usr/share/xsessions/kiosk.desktop",
        "/usr/share/wayland-sessions/kiosk.desktop",
    )  # fmt: skip
    left = [p for p in ours if os.path.lexists(p)]
    check(not left, f"nothing of the package is left but its policy (left: {left})")
    check(Path("/etc/kiosk/policy.toml").exists(), "the managed policy stays for the admin")
    gone = sh("xdg-mime", "query", "default", "x-scheme-handler/sebs")
    check(gone.stdout.strip() == "", "sebs:// links no longer open the kiosk", gone)
    sh("dpkg", "--purge", "kiosk")
    check(not Path("/etc/kiosk/policy.toml").exists(), "purged: the policy goes too")
    print(f"check_installed: {deb.name} installed, checked and removed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]).resolve()))
