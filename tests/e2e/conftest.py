from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support.process import KioskProcess


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def kiosk(tmp_path: Path) -> Iterator[Callable[..., KioskProcess]]:
    started: list[KioskProcess] = []

    def start(
        url: str, *extra: str, env: dict[str, str] | None = None, name: str = ""
    ) -> KioskProcess:
        folder = tmp_path / (name or f"run{len(started)}")
        folder.mkdir()
        proc = KioskProcess(folder, url, *extra, env=env)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        proc.kill()
