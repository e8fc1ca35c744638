"""The TOML configuration file: every problem is one UsageError naming the file and the key."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.config.settings import MAX_CONFIG_BYTES, KioskConfig, TrustScoreConfig, load
from kiosk.platform.errors import UsageError
from policies.trust import DEFAULT_WEIGHTS, ViolationWeight
from tests.support.blocking import refusal_within


def _write(tmp_path: Path, text: str, name: str = "kiosk.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path: Path) -> str:
    with pytest.raises(UsageError) as caught:
        load(path)
    assert caught.value.exit_code == 2
    message = str(caught.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_valid_file(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [session]
        autostart = true
        test_duration = 45
        data_dir = "/srv/kiosk"

        [session.tracking]
        audio = true
        numPhotosAtRandom = 5

        [devices]
        camera = "none"
        microphone = "default"

        [window]
        windowed = true

        [policy]
        allow_windowed = false

        [engine]
        minimum_chromium = 130
        """,
    )
    cfg = load(path)
    assert cfg.session.autostart is True
    assert cfg.session.test_duration == 45
    assert cfg.session.data_dir == Path("/srv/kiosk")
    assert cfg.session.event_log is None
    assert cfg.session.tracking.audio is True
    assert cfg.session.tracking.numPhotosAtRandom == 5
    assert cfg.session.tracking.tabSwitch is True  # untouched default
    assert cfg.devices.camera == "none"
    assert cfg.window.windowed is True
    assert cfg.policy.allow_windowed is False
    assert cfg.engine.minimum_chromium == 130
    assert cfg.trust_score.weights == DEFAULT_WEIGHTS


def test_empty_file_is_the_defaults(tmp_path: Path) -> None:
    assert load(_write(tmp_path, "")) == KioskConfig()


def test_typo_key_names_file_and_dotted_key(tmp_path: Path) -> None:
    path = _write(tmp_path, "[session]\nautostrat = true\n")
    message = _error(path)
    assert "session.autostrat" in message
    assert message.startswith(f"config file {path}:")


def test_unknown_section_is_named(tmp_path: Path) -> None:
    assert "'sesion'" in _error(_write(tmp_path, "[sesion]\nautostart = true\n"))


def test_wrong_type_names_the_key(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, '[session]\nautostart = "maybe"\n'))
    assert "session.autostart" in message
    assert "boolean" in message


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('[session]\nautostart = "yes"\n', "session.autostart"),
        ("[window]\nwindowed = 1\n", "window.windowed"),
        ('[session]\ntest_duration = "45"\n', "session.test_duration"),
        ('[engine]\nminimum_chromium = "130"\n', "engine.minimum_chromium"),
    ],
    ids=["bool-as-string", "bool-as-int", "number-as-string", "int-as-string"],
)
def test_wrong_types_are_not_coerced(tmp_path: Path, text: str, key: str) -> None:
    """TOML has real booleans and numbers: a string or an int in their place is a wrong type.

    The documented contract (kiosk/config/settings.py, docs/configuration.md): "Unknown keys
    and wrong types are errors (exit 2)". [session.tracking] is already strict; the other
    tables coerce.
    """
    message = _error(_write(tmp_path, text))
    assert key in message


def test_invalid_toml(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "[session\nautostart = true\n"))
    assert "not valid TOML" in message


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes(b'[devices]\ncamera = "c\xe9"\n')
    assert "not UTF-8" in _error(path)


def test_missing_file(tmp_path: Path) -> None:
    message = _error(tmp_path / "nope.toml")
    assert "no such file" in message


def test_a_directory_is_not_a_config_file(tmp_path: Path) -> None:
    message = _error(tmp_path)
    assert "cannot read it: it is a folder, not a regular file" in message


def test_trust_weights_override(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        """
        [trust_score.weights."5005"]
        per_event = 10
        per_minute = 1.5
        max_penalty = 60
        """,
    )
    weights = load(path).trust_score.weights
    assert weights[5005] == ViolationWeight(per_event=10, per_minute=1.5, max_penalty=60)
    assert weights[5001] == DEFAULT_WEIGHTS[5001]
    assert set(weights) == set(DEFAULT_WEIGHTS)


def test_trust_weights_for_a_non_violation_are_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, '[trust_score.weights."5006"]\nper_event = 1\n')
    message = _error(path)
    assert "trust_score.weights" in message
    assert "5006" in message


def test_trust_weight_typo_is_named(tmp_path: Path) -> None:
    path = _write(tmp_path, '[trust_score.weights."5005"]\nper_event = 1\nper_minut = 2\n')
    assert "trust_score.weights.5005.per_minut" in _error(path)


def test_tracking_option_typo(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "[session.tracking]\ntabswitch = false\n"))
    assert "session.tracking.tabswitch" in message


def test_tracking_option_wrong_type(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, "[session.tracking]\naudio = 1\n"))
    assert "session.tracking.audio" in message


def test_out_of_range_values(tmp_path: Path) -> None:
    assert "session.test_duration" in _error(_write(tmp_path, "[session]\ntest_duration = 0\n"))
    assert "engine.minimum_chromium" in _error(
        _write(tmp_path, "[engine]\nminimum_chromium = -1\n", "b.toml")
    )


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, '[session]\nautostrat = true\nautostart = "maybe"\n'))
    assert "session.autostrat" in message
    assert "session.autostart" in message


# -- trust-score weights -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [5006, 2001, 5003, 5008, 4001, 9999])
def test_config_rejects_codes_that_are_not_violations(code: int) -> None:
    with pytest.raises(ValidationError, match=r"not violation codes"):
        TrustScoreConfig(weights={code: ViolationWeight(per_event=1)})


def test_partial_custom_weights_keep_the_other_defaults() -> None:
    config = TrustScoreConfig.model_validate({"weights": {"5005": {"per_event": 2}}})
    # A code's table that sets only some weights keeps that code's other defaults.
    assert config.weights[5005] == ViolationWeight(per_event=2, per_minute=3, max_penalty=50)
    for code in (5001, 5002, 5004, 5007):
        assert config.weights[code] == DEFAULT_WEIGHTS[code]
    assert set(config.weights) == set(DEFAULT_WEIGHTS)


def test_default_config_uses_the_default_weights() -> None:
    assert TrustScoreConfig().weights == DEFAULT_WEIGHTS


def test_default_config_is_not_shared_between_instances() -> None:
    first = TrustScoreConfig()
    first.weights[5005] = ViolationWeight(per_event=99)
    assert TrustScoreConfig().weights[5005] == DEFAULT_WEIGHTS[5005]
    assert DEFAULT_WEIGHTS[5005].per_event == 5


@pytest.mark.parametrize(
    "weight",
    [
        {"per_event": -1},
        {"per_event": 1, "per_minute": -0.5},
        {"per_event": 1, "max_penalty": 101},
        {"per_event": 1, "per_hour": 2},
        {"per_event": "1"},  # strings are not numbers
    ],
)
def test_invalid_weights_are_rejected(weight: dict[str, float]) -> None:
    with pytest.raises(ValidationError):
        TrustScoreConfig.model_validate({"weights": {"5005": weight}})


# -- what is not a configuration file ---------------------------------------------------------


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_is_refused_without_reading_it(device: str) -> None:
    message = refusal_within(2, lambda: load(Path(device)))
    assert message == f"config file {device}: cannot read it: it is a device, not a regular file"


def test_a_fifo_nobody_writes_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "kiosk.toml"
    os.mkfifo(fifo)
    message = refusal_within(2, lambda: load(fifo), fifo)
    assert "it is a FIFO, not a regular file" in message


def test_a_file_larger_than_any_configuration_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "# " + "x" * MAX_CONFIG_BYTES)
    assert "larger than 1 MB" in _error(path)


def test_nesting_100000_arrays_deep_is_one_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "[devices]\ncamera = " + "[" * 100_000 + "]" * 100_000 + "\n")
    assert "nested too deeply" in _error(path)
    inline = _write(tmp_path, "a = " + "{b = " * 50_000 + "1" + "}" * 50_000, "inline.toml")
    assert "nested too deeply" in _error(inline)


def test_thousands_of_unknown_keys_name_the_first_few_and_the_count(tmp_path: Path) -> None:
    keys = "".join(f"key_{i} = {i}\n" for i in range(50_000))  # ~0.8 MB
    message = _error(_write(tmp_path, "[session]\n" + keys))
    assert len(message) < 600, message[:1000]
    assert "unknown key 'session.key_0'" in message
    assert "unknown key 'session.key_4'" in message and "key_5'" not in message
    assert "and 49995 more problems (50000 in all)" in message


def test_a_huge_key_is_cut_short(tmp_path: Path) -> None:
    message = _error(_write(tmp_path, f"[session]\n{'k' * 500_000} = 1\n"))
    assert len(message) < 300 and "unknown key 'session.kkkk" in message and "...'" in message
