"""A private PulseAudio with a null sink: a real capture path on a machine without a sound card.

What is played on sink ``v`` (``paplay --device=v``) is what its monitor ``v.monitor``, the
default source, records; PortAudio reaches it through ALSA's pulse plugin, so
``MicrophoneDetector(MicrophoneSource("default"))`` records it like a microphone.

As in docs (platform notes), with two changes: the daemon runs in the foreground as our own
child (not ``-D``), so ``stop()`` kills exactly the process it started and a start failure
comes with the daemon's own log; and "ready" means the monitor really delivers audio - a
fresh null sink renders its first block about 2 s after start, and a capture opened before
that gets nothing for those 2 s. PulseAudio warns but runs as root without ``--system``.

This process reaches the server through ``PULSE_SERVER`` (set while it runs); PortAudio only
sees it after a re-scan, which ``MicrophoneDetector.open()`` does.
"""

from __future__ import annotations

import atexit
import os
import secrets
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MODULES = (
    "module-native-protocol-unix",
    "module-null-sink sink_name=v",
    "module-always-sink",
)


class PulseError(RuntimeError):
    pass


class PrivatePulse:
    def __init__(self, parent: Path | None = None) -> None:
        base = parent or Path(os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir())
        self.runtime = base / f"pulse-{secrets.token_hex(4)}"
        self.socket = self.runtime / "pulse" / "native"
        self.log = self.runtime / "pulseaudio.log"
        self._daemon: subprocess.Popen[bytes] | None = None
        self._keepalive: subprocess.Popen[bytes] | None = None
        self._players: list[subprocess.Popen[bytes]] = []
        self._saved_server: str | None = None

    @property
    def env(self) -> dict[str, str]:
        """The environment for a pulse client (pactl, paplay, a kiosk subprocess)."""
        env = dict(os.environ)
        env["XDG_RUNTIME_DIR"] = str(self.runtime)
        env["PULSE_SERVER"] = f"unix:{self.socket}"
        return env

    def start(self, timeout: float = 15.0) -> PrivatePulse:
        for tool in ("pulseaudio", "pactl", "pacat", "parec", "paplay"):
            if shutil.which(tool) is None:
                raise PulseError(f"{tool} is not installed (Debian: pulseaudio pulseaudio-utils)")
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        args = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "-n", "--log-target=stderr"]
        for module in MODULES:
            args += ["-L", module]
        with self.log.open("wb") as log:
            self._daemon = subprocess.Popen(
                args, env=self.env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        atexit.register(self.stop)
        deadline = time.monotonic() + timeout
        self._wait(lambda: self._pactl("info").returncode == 0, deadline, "pactl info answers")
        for command in (("set-default-sink", "v"), ("set-default-source", "v.monitor")):
            result = self._pactl(*command)
            if result.returncode != 0:
                self._fail(f"pactl {' '.join(command)}: {result.stderr.strip()}")
        # Without a steady stream into the sink, capture from its monitor is bursty.
        with Path("/dev/zero").open("rb") as zero:
            self._keepalive = subprocess.Popen(
                ["pacat", "--playback", "-d", "v", "--latency-msec=20"],
                env=self.env,
                stdin=zero,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        if not self._monitor_delivers(deadline):
            self._fail("timed out waiting until the monitor of sink v delivers audio")
        self._saved_server = os.environ.get("PULSE_SERVER")
        os.environ["PULSE_SERVER"] = f"unix:{self.socket}"
        return self

    def play(self, wav: Path) -> subprocess.Popen[bytes]:
        """Starts playing ``wav`` on the null sink; wait() on the result for its end."""
        player = subprocess.Popen(
            ["paplay", "--device=v", str(wav)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        self._players.append(player)
        return player

    def stop(self) -> None:
        for proc in (*self._players, self._keepalive, self._daemon):
            if proc is not None and proc.poll() is None:
                proc.kill()
            if proc is not None:
                proc.wait()
                if proc.stderr is not None:
                    proc.stderr.close()
        self._players.clear()
        self._keepalive = self._daemon = None
        if os.environ.get("PULSE_SERVER") == f"unix:{self.socket}":
            if self._saved_server is None:
                os.environ.pop("PULSE_SERVER", None)
            else:
                os.environ["PULSE_SERVER"] = self._saved_server
        atexit.unregister(self.stop)

    @property
    def running(self) -> bool:
        return self._daemon is not None and self._daemon.poll() is None

    def _pactl(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["pactl", *args], env=self.env, capture_output=True, text=True, timeout=10
        )

    def _monitor_delivers(self, deadline: float) -> bool:
        """Records from v.monitor until 0.1 s of audio (s16le stereo 44.1 kHz) has arrived."""
        wanted, got = 44100 * 2 * 2 // 10, 0
        rec = subprocess.Popen(
            ["parec", "-d", "v.monitor", "--raw", "--latency-msec=20"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert rec.stdout is not None
        try:
            while got < wanted and time.monotonic() < deadline and rec.poll() is None:
                ready, _, _ = select.select([rec.stdout], [], [], 0.1)
                if ready:
                    got += len(os.read(rec.stdout.fileno(), 65536))
        finally:
            rec.kill()
            rec.wait()
            rec.stdout.close()
        return got >= wanted

    def _wait(self, ready: Callable[[], bool], deadline: float, what: str) -> None:
        while not ready():
            if self._daemon is not None and self._daemon.poll() is not None:
                self._fail(f"pulseaudio exited with {self._daemon.returncode}")
            if time.monotonic() > deadline:
                self._fail(f"timed out waiting until {what}")
            time.sleep(0.05)

    def _fail(self, why: str) -> None:
        log = self.log.read_text(errors="replace") if self.log.exists() else ""
        self.stop()
        raise PulseError(f"private PulseAudio did not start: {why}\n--- pulseaudio log ---\n{log}")
