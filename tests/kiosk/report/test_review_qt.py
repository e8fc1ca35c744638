"""`kiosk report show`: the reviewer's page of a session, opened in the real web engine.

The record is written by the kiosk's own record, evidence store and scoring; the page is read
as a reviewer reads it (the score, each violation episode on the timeline, the photos beside
their events, the decisions, the setup), and every request the engine makes for it is caught:
there must be none but the file itself."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from pytestqt.qtbot import QtBot

from bridge.catalogue import lookup
from kiosk.cli import main
from kiosk.platform.qt import (
    QCoreApplication,
    QEvent,
    QUrl,
    QWebEnginePage,
    QWebEngineProfile,
    QWebEngineUrlRequestInfo,
    QWebEngineUrlRequestInterceptor,
    QWebEngineView,
)
from kiosk.report.command import show
from kiosk.session.evidence import EvidenceStore
from kiosk.session.record import SessionRecord
from kiosk.session.scoring import EPISODE_ENDED, episode_detail, score_monitoring
from policies.trust import DEFAULT_WEIGHTS

T0 = 1_764_000_000.0
SHOTS = Path("/work/notes") if Path("/work/notes").is_dir() else None


def _event(record: SessionRecord, t: float, code: int | str, **extra: Any) -> None:
    spec = lookup(code)
    record.append(
        T0 + t, spec.name, spec.code, spec.reason, spec.detail(round((T0 + t) * 1000), **extra)
    )


def a_session(data: Path) -> Path:
    """An exam with two violations and a photo each, a refusal, scored as the kiosk scores."""
    folder = data / "sessions" / "20261203-0900-review"
    folder.mkdir(parents=True)
    record = SessionRecord(folder)
    record.set_meta(
        url="https://exam.example.org/quiz/7", launched_at=T0, kiosk_version="test",
        qtwebengine="6.4.2", chromium="102", camera="video file clip.mp4",
        microphone="no microphone", fullscreen=True, report_lrs=None, unsafe_engine_settings=[],
        seb={"source": "exam.seb", "config_key": "ab" * 32, "unsupported": ["allowVideoCapture"]},
    )  # fmt: skip
    store = EvidenceStore(folder / "evidence", capacity=5)
    frame = np.zeros((240, 320, 3), np.uint8)
    frame[60:180, 100:220] = (40, 40, 200)
    _event(record, 5, "apMonitoringStarted")
    started = record.events()[-1].seq
    shot = store.save(frame, "5005", T0 + 60)
    assert shot is not None
    _event(record, 60, 5005, cause="another window was activated", screenshot=shot.as_detail())
    record.note_decision(T0 + 61, "focus", "taken back", {"cause": "another window was activated"})
    _event(record, 90, 5006, awaySeconds=30)
    record.note_decision(T0 + 100, "new_window", "refused", {"url": "https://cheat.example/"})
    photo = store.save(frame, "5001", T0 + 120)
    assert photo is not None
    _event(record, 120, 5001, photo=photo.as_detail())
    record.note_decision(T0 + 150, "evidence", EPISODE_ENDED, {"code": 5001})
    found, trust = score_monitoring(record, started, T0 + 300, DEFAULT_WEIGHTS)
    stopped = lookup("apMonitoringStopped")
    result = {
        "trustScore": trust.score,
        "violations": [episode_detail(e) for e in found],
        "penalties": {str(k): v for k, v in trust.penalties.items()},
        "stoppedBy": "page",
    }
    record.close_with(T0 + 300, stopped.name, stopped.detail(round((T0 + 300) * 1000), **result),
                      {"trust_score": trust.score, "violations": result["violations"]})  # fmt: skip
    record.shut()
    return folder


class Requests(QWebEngineUrlRequestInterceptor):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo | None) -> None:
        if info is not None:
            self.seen.append(info.requestUrl().toString())


READ = """(() => {
  const text = s => (document.querySelector(s) || {}).textContent || null;
  return JSON.stringify({
    score: text('#score'), state: text('#state'), violations: text('#violations'),
    episodes: [...document.querySelectorAll('#timeline rect.episode')].map(r => ({
      code: r.dataset.code, width: r.getBBox().width, title: r.textContent})),
    photosOnTimeline: document.querySelectorAll('#timeline rect.photo').length,
    images: [...document.querySelectorAll('img.evidence')].map(i => ({
      loaded: i.complete && i.naturalWidth > 0, row: i.closest('tr').children[2].textContent})),
    breakdown: [...document.querySelectorAll('#breakdown tr[data-code]')].map(
      r => [...r.children].map(c => c.textContent)),
    decisions: [...document.querySelectorAll('#events tr.decision')].map(
      r => r.children[1].textContent),
    unsupported: text('#setup-unsupported-seb-keys'),
    scripts: document.scripts.length,
  });
})()"""


@pytest.mark.usefixtures("web_engine")
def test_the_review_shows_what_a_reviewer_needs_and_loads_nothing(
    tmp_path: Path, qtbot: QtBot
) -> None:
    import json

    a_session(tmp_path / "data")
    out = tmp_path / "review.html"
    line = show(tmp_path / "data", "20261203-0900-review", out)
    assert line == f"wrote {out}: 8 events and decisions, 2 photos"
    profile = QWebEngineProfile()  # off the record
    requests = Requests()
    profile.setUrlRequestInterceptor(requests)
    page = QWebEnginePage(profile)
    view = QWebEngineView()
    view.setPage(page)
    view.resize(1100, 900)
    qtbot.addWidget(view)
    view.show()
    with qtbot.waitSignal(page.loadFinished, timeout=20_000) as loaded:
        page.load(QUrl.fromLocalFile(str(out)))
    assert loaded.args == [True]
    got: list[Any] = []
    page.runJavaScript(READ, 0, got.append)
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    seen = json.loads(got[0])
    assert seen["score"] == str(_score_of(tmp_path)) and seen["state"] == "closed"
    assert seen["violations"] == "2"
    assert sorted(e["code"] for e in seen["episodes"]) == ["5001", "5005"]
    five = next(e for e in seen["episodes"] if e["code"] == "5005")
    assert five["title"] == "5005 at +1:00 for 30 s" and five["width"] > 20
    assert seen["photosOnTimeline"] == 2
    assert [i["loaded"] for i in seen["images"]] == [True, True]
    assert sorted(i["row"] for i in seen["images"]) == ["5001", "5005"]  # beside their events
    assert [row[0] for row in seen["breakdown"]] == ["5001", "5005"]
    assert all(float(row[4]) > 0 for row in seen["breakdown"])
    assert "decided: new_window" in seen["decisions"] and "decided: focus" in seen["decisions"]
    assert seen["unsupported"] == "allowVideoCapture" and seen["scripts"] == 0
    assert requests.seen == [QUrl.fromLocalFile(str(out)).toString()]  # the file, nothing else
    if SHOTS is not None:  # for a person to look at
        qtbot.wait(200)
        view.grab().save(str(SHOTS / "review.png"))
    view.close()
    page.deleteLater()  # before its profile, which Python releases when this test returns
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def _score_of(tmp_path: Path) -> int:
    record = SessionRecord(tmp_path / "data" / "sessions" / "20261203-0900-review")
    try:
        return int(record.meta()["trust_score"])
    finally:
        record.shut()


def test_the_command_says_where_it_wrote_and_refuses_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    folder = a_session(data)
    monkeypatch.chdir(tmp_path)
    assert main(["report", "show", folder.name, "--data-dir", str(data)]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {folder.name}.html: 8 events")
    assert (tmp_path / f"{folder.name}.html").read_text().startswith("<!DOCTYPE html>")
    assert main(["report", "show", "nope", "--data-dir", str(data)]) == 2
    assert f"no session nope in {data / 'sessions'}" in capsys.readouterr().err
    assert main(["report", "show", folder.name, "--data-dir", str(data), "-o", "/proc/x.html"]) == 2
    assert "-o /proc/x.html: cannot write it" in capsys.readouterr().err
    shutil.rmtree(folder / "evidence")  # photos gone (deleted by hand): said, not hidden
    out = tmp_path / "again.html"
    main(["report", "show", folder.name, "--data-dir", str(data), "-o", str(out)])
    assert out.read_text().count("no longer on the kiosk") == 2
