"""Every device problem a detector can report has the page code the catalogue gives it."""

from __future__ import annotations

import pytest

from bridge.catalogue import lookup
from detectors.base import Problem
from policies.devices import (
    BOTH_DENIED,
    OTHER,
    PAGE_CODES,
    PageCode,
    page_code,
    secure_context,
    setup_refusal,
)

#: What each detector can report (detectors/camera.py, faces.py, microphone.py and its
#: captures, screen_capture.py): each must have its own code, none may fall back to 4005.
REPORTED = {
    "camera": {Problem.ABSENT, Problem.NOT_FOUND, Problem.NOT_READABLE, Problem.DENIED,
               Problem.MODEL_UNUSABLE},
    "microphone": {Problem.ABSENT, Problem.NOT_FOUND, Problem.NOT_READABLE, Problem.DENIED},
    "screen": {Problem.DENIED, Problem.FAILED, Problem.NO_SCREEN, Problem.OWN_WINDOWS_ONLY},
}  # fmt: skip


@pytest.mark.parametrize(
    ("device", "problem"), [(d, p) for d, problems in REPORTED.items() for p in problems]
)
def test_every_reported_problem_has_its_code_in_the_catalogue(device: str, problem: str) -> None:
    assert (device, problem) in PAGE_CODES
    code = page_code(device, problem)
    assert lookup(code.code, code.reason).kind.value == "error"


def test_the_table_names_only_what_detectors_report() -> None:
    assert set(PAGE_CODES) == {(d, p) for d, problems in REPORTED.items() for p in problems}


@pytest.mark.parametrize(
    ("device", "problem", "key"),
    [
        ("camera", "absent", "4010"),
        ("camera", "not_found", "4008:not_found"),
        ("camera", "not_readable", "4008:not_readable"),
        ("camera", "denied", "4002"),
        ("camera", "model_unusable", "4005"),
        ("microphone", "absent", "4009"),
        ("microphone", "not_found", "4007:not_found"),
        ("microphone", "not_readable", "4007:not_readable"),
        ("microphone", "denied", "4003"),
        ("screen", "denied", "4011"),
        ("screen", "failed", "4012"),
        ("screen", "no_screen", "4013"),
        ("screen", "own_windows_only", "4014"),
    ],
)
def test_page_codes(device: str, problem: str, key: str) -> None:
    code = page_code(device, problem)
    assert lookup(code.code, code.reason).key == key


def test_an_unknown_problem_is_the_catch_all_4005() -> None:
    assert page_code("camera", "on_fire") == OTHER == PageCode(4005)
    assert page_code("printer", "absent") == OTHER


def test_setup_refuses_with_4006_only_when_both_are_denied() -> None:
    assert setup_refusal("denied", "denied") == BOTH_DENIED == PageCode(4006)
    assert setup_refusal("denied", "absent") == PageCode(4002)  # the camera's comes first
    assert setup_refusal(None, "denied") == PageCode(4003)
    assert setup_refusal("not_found", None) == PageCode(4008, "not_found")
    assert setup_refusal(None, None) is None


@pytest.mark.parametrize(
    ("url", "secure"),
    [
        ("https://exam.example.org/", True),
        ("http://127.0.0.1:8000/", True),
        ("http://localhost/", True),
        ("http://[::1]:8080/", True),
        ("http://exam.example.org/", False),
        ("http://10.0.0.7/", False),
    ],
)
def test_secure_context(url: str, secure: bool) -> None:
    assert secure_context(url) is secure
