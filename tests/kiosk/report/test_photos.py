"""Evidence photos reach the LRS as SHA-256 references that match the JPEG the kiosk kept; the
local path never leaves; a photo deleted before its statement went is said to be missing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from bridge.catalogue import lookup
from kiosk.report.delivery import deliver
from kiosk.report.lrs import Lrs
from kiosk.report.photos import USAGE, referenced
from kiosk.report.statements import EXT
from kiosk.session.evidence import EvidenceStore
from kiosk.session.record import SessionRecord
from tests.kiosk.report.test_delivery import _record
from tests.support.lrs_server import PASSWORD, USER, Ralph


def _with_photos(folder: Path) -> tuple[SessionRecord, list[Path]]:
    record = _record(folder)
    store = EvidenceStore(folder / "evidence", capacity=5)
    frame = np.zeros((48, 64, 3), np.uint8)
    frame[10:20, 10:30] = (0, 0, 255)
    paths = []
    for n, (code, key) in enumerate([(5001, "photo"), (5005, "screenshot")]):
        photo = store.save(frame, str(code), 1_764_000_020.0 + n)
        assert photo is not None
        ev = lookup(code)
        detail = ev.detail(1_764_000_020_000 + n, **{key: photo.as_detail()})
        record.append(1_764_000_020.0 + n, ev.name, code, None, detail)
        paths.append(photo.path)
    return record, paths


def test_each_photo_is_sent_as_the_sha256_of_the_jpeg_kept(tmp_path: Path, ralph: Ralph) -> None:
    record, paths = _with_photos(tmp_path / "s")
    paths[1].unlink()  # the student deleted the second before it was reported
    done = deliver(record.folder, Lrs(ralph.url, USER, PASSWORD), batch=50)
    assert done.error is None and done.owed == 0
    held = ralph.statements(str(record.meta()["registration"]))
    with_photos = [s for s in held if EXT["evidence"] in s["result"]["extensions"]]
    assert len(with_photos) == 2
    kept, deleted = sorted(with_photos, key=lambda s: s["timestamp"])
    ref = kept["result"]["extensions"][EXT["evidence"]][0]
    data = paths[0].read_bytes()
    assert ref["sha2"] == hashlib.sha256(data).hexdigest() and ref["length"] == len(data)
    assert (ref["usageType"], ref["contentType"], ref["key"]) == (USAGE, "image/jpeg", "photo")
    assert kept["result"]["extensions"][EXT["detail"]]["photo"]["sha2"] == ref["sha2"]
    gone = deleted["result"]["extensions"][EXT["evidence"]][0]
    assert gone["missing"] == "the photo is no longer on the kiosk" and "sha2" not in gone
    assert str(tmp_path) not in json.dumps(held)  # no local path, no home folder


def test_a_record_naming_a_file_elsewhere_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "secret.jpg"
    outside.write_bytes(b"not the kiosk's")
    (tmp_path / "s").mkdir()
    detail, refs = referenced({"photo": {"id": "p", "path": str(outside)}}, tmp_path / "s")
    assert refs[0]["missing"] == "the record names a file outside the session folder"
    assert detail == {"photo": {"id": "p", "sha2": None}}
