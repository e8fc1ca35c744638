"""A real Ralph learning record store on localhost, with its filesystem backend (`make lrs`
installs it in .venv-ralph, apart from the kiosk's own packages)."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from tests.support.paths import REPO, SUPPORT

RALPH_BIN = REPO / ".venv-ralph" / "bin"
USER, PASSWORD = "kiosk", "lrs-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Ralph:
    def __init__(self, folder: Path) -> None:
        if not (RALPH_BIN / "ralph").exists():
            raise RuntimeError(f"Ralph is not installed in {RALPH_BIN.parent}: run `make lrs`")
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.port = free_port()
        self.env = {
            **os.environ,
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_AUTH_FILE": str(folder / "auth.json"),
            "RALPH_APP_DIR": str(folder / "app"),
        }
        subprocess.run(
            [str(RALPH_BIN / "ralph"), "auth", "-u", USER, "-p", PASSWORD, "-s", "all",
             "-M", f"mailto:{USER}@example.org", "-w"],
            env=self.env, check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        self._proc: subprocess.Popen[bytes] | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI/"

    def start(self) -> None:
        with (self.folder / "ralph.log").open("ab") as log:
            self._proc = subprocess.Popen(
                [str(RALPH_BIN / "python"), str(SUPPORT / "ralph_launch.py"), "runserver",
                 "-b", "fs", "--fs-default-directory-path", str(self.folder / "data"),
                 "-h", "127.0.0.1", "-p", str(self.port)],
                env=self.env, stdout=log, stderr=log, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 60
        while True:
            try:
                self._get(self.url + "statements?limit=1")
                return
            except (urllib.error.URLError, OSError):
                if self._proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("Ralph did not start:\n" + self.log()) from None
                time.sleep(0.2)

    def stop(self) -> None:
        if self._proc is not None:
            os.killpg(self._proc.pid, 15)
            self._proc.wait(20)
            self._proc = None

    def log(self) -> str:
        return (self.folder / "ralph.log").read_text(errors="replace")[-3000:]

    def _headers(self) -> dict[str, str]:
        pair = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        return {"Authorization": f"Basic {pair}", "X-Experience-API-Version": "1.0.3"}

    def _get(self, url: str) -> Any:
        request = urllib.request.Request(url, headers=self._headers())
        with urllib.request.urlopen(request, timeout=20) as answer:
            return json.load(answer)

    def statements(self, registration: str) -> list[dict[str, Any]]:
        """Every statement stored of one session, each as often as the store holds it."""
        found: list[dict[str, Any]] = []
        query = urlencode({"registration": registration, "limit": 1000})
        page = self._get(self.url + "statements?" + query)
        found.extend(page["statements"])
        while page.get("more"):
            page = self._get(f"http://127.0.0.1:{self.port}{page['more']}")
            found.extend(page["statements"])
        return found

    def stored_lines(self) -> list[dict[str, Any]]:
        """The backend's file itself: a statement stored twice would be two lines here."""
        path = self.folder / "data" / "fs_lrs.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
