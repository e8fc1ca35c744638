"""Evidence photos in statements, by SHA-256 reference.

xAPI 1.0.3 sends a photo as an attachment in a multipart request; Ralph (and other LRSs that
store JSON only) refuse those. So a statement names each of its photos by what the school can
check it against instead: the SHA-256 of the JPEG, its length and its type, under the field
names of an xAPI attachment. The photo itself stays on the kiosk, in the session folder, until
retention deletes it (``kiosk report show`` puts it beside its event). The photo's local path is
left out: it names the student's home folder, which is not the LRS's to know.

A reference is built from the file each time the statement is, so it must not change: a photo
is written and synced before its event is recorded, and deleted only after its statement was
confirmed. A photo gone before that is said so (someone deleted evidence), never guessed.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

#: The keys of an event's detail that hold a photo of the evidence store (session/evidence.py).
PHOTO_KEYS = ("photo", "screenshot")
USAGE = "https://w3id.org/kiosk/xapi/attachments/evidence-photo"


def photos_in(detail: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The photos an event's detail names, with the key that names each."""
    return [
        (key, photo)
        for key in PHOTO_KEYS
        if isinstance(photo := detail.get(key), dict) and isinstance(photo.get("path"), str)
    ]


def referenced(detail: dict[str, Any], folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """``detail`` with each photo's path replaced by its SHA-256, and the references."""
    out, refs = dict(detail), []
    for key, photo in photos_in(detail):
        ref = reference(Path(photo["path"]), folder, str(photo.get("id", "")))
        kept = {k: v for k, v in photo.items() if k != "path"}
        out[key] = kept | {"sha2": ref.get("sha2")}
        refs.append(ref | {"kind": photo.get("kind"), "key": key})
    return out, refs


def reference(path: Path, folder: Path, photo_id: str) -> dict[str, Any]:
    ref: dict[str, Any] = {"id": photo_id, "usageType": USAGE, "contentType": "image/jpeg"}
    data, missing = read_photo(path, folder)
    if data is None:
        return ref | {"missing": missing}
    return ref | {"length": len(data), "sha2": hashlib.sha256(data).hexdigest()}


def read_photo(path: Path, folder: Path) -> tuple[bytes | None, str]:
    """The photo's bytes, or None and why not. A record that names a file outside its session
    folder is not followed."""
    try:
        if not path.resolve().is_relative_to(folder.resolve()):
            return None, "the record names a file outside the session folder"
        return path.read_bytes(), ""
    except FileNotFoundError:
        return None, "the photo is no longer on the kiosk"
    except OSError as exc:
        return None, f"the photo cannot be read: {exc.strerror}"
