"""Process identities that survive pid reuse, and the web engine processes of a dead kiosk:
real processes, real /proc."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

from kiosk.platform.processes import (
    ENGINE_OWNER,
    ProcessIdentity,
    engine_processes,
    identify,
    kill_engine_processes,
    this_process,
)
from tests.support.engine_stand_in import dead_identity, ended, engine_process


def test_this_process_runs_and_a_dead_one_does_not() -> None:
    me = this_process()
    assert me.pid == os.getpid() and me.started > 0 and me.boot
    assert me.running()
    assert not dead_identity().running()


def test_a_reused_pid_is_not_the_process_that_had_it() -> None:
    me = this_process()
    assert not dataclasses.replace(me, started=me.started + 1).running()
    assert not dataclasses.replace(me, boot="another-boot").running()


def test_the_identity_survives_the_record_and_the_environment() -> None:
    me = this_process()
    assert ProcessIdentity.from_meta(me.as_meta()) == me
    assert ProcessIdentity.from_marker(me.marker) == me
    assert ProcessIdentity.from_meta({"pid": "1", "started": 2, "boot": "b"}) is None
    assert ProcessIdentity.from_meta(None) is None
    assert ProcessIdentity.from_marker("nonsense") is None


def test_only_the_engine_processes_of_that_kiosk_are_found(tmp_path: Path) -> None:
    owner, other = dead_identity(), dead_identity()
    with (
        engine_process(tmp_path, owner) as mine,
        engine_process(tmp_path, other) as theirs,
        engine_process(tmp_path, None) as nobodys,
    ):
        found = engine_processes(owner)
        assert found == [mine.pid]
        assert theirs.pid not in found and nobodys.pid not in found
        assert engine_processes(owner, programs=("sleep",)) == []  # another program's name


def test_a_dead_kiosks_engine_is_killed_and_nothing_else(tmp_path: Path) -> None:
    owner = dead_identity()
    with engine_process(tmp_path, owner) as mine, engine_process(tmp_path, None) as nobodys:
        assert kill_engine_processes(owner) == [mine.pid]
        assert ended(mine) == -9
        assert nobodys.poll() is None


def test_a_running_kiosks_engine_is_never_killed(tmp_path: Path) -> None:
    me = this_process()
    with engine_process(tmp_path, me) as mine:
        assert identify(mine.pid) is not None
        assert kill_engine_processes(me) == []
        assert mine.poll() is None
    assert ENGINE_OWNER  # the variable the real engine inherits
