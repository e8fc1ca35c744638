"""The managed policy and the configuration layers: what wins, what is locked, what is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config.layers import Layers
from kiosk.config.managed import ManagedPolicy, load_managed
from kiosk.platform.errors import UsageError


def write(root: Path, name: str, text: str) -> Path:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_policy_is_an_empty_one(tmp_path: Path) -> None:
    assert load_managed(tmp_path) == ManagedPolicy()


def test_policy_d_files_come_after_policy_toml_in_name_order(tmp_path: Path) -> None:
    main = write(
        tmp_path, "policy.toml", '[devices]\ncamera = "none"\n[policy]\nallow_zoom = true\n'
    )
    write(tmp_path, "policy.d/20-zoom.toml", "[policy]\nallow_zoom = false\n")
    last = write(tmp_path, "policy.d/30-zoom.toml", "[policy]\nallow_zoom = true\n")
    write(tmp_path, "policy.d/README", "not a policy: ignored")
    found = load_managed(tmp_path)
    assert found.values == {"devices": {"camera": "none"}, "policy": {"allow_zoom": True}}
    assert found.file_of(("policy", "allow_zoom")) == last
    assert found.file_of(("devices", "camera")) == main
    assert found.locked(("devices", "camera")) and not found.locked(("devices", "microphone"))


def test_an_empty_table_locks_nothing(tmp_path: Path) -> None:
    write(tmp_path, "policy.toml", "[policy]\n")
    assert not load_managed(tmp_path).locked(("policy", "allow_zoom"))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[policy]\nallow_zoom = 'yes'\n", "policy.allow_zoom"),
        ("[policy\n", "not valid TOML"),
        ("[bogus]\nx = 1\n", "bogus"),
    ],
)
def test_a_broken_policy_stops_the_kiosk_naming_its_file(
    tmp_path: Path, text: str, says: str
) -> None:
    path = write(tmp_path, "policy.d/10-school.toml", text)
    with pytest.raises(UsageError) as caught:
        load_managed(tmp_path)
    assert f"managed policy {path}" in str(caught.value) and says in str(caught.value)


def managed(tmp_path: Path, text: str) -> ManagedPolicy:
    write(tmp_path, "policy.toml", text)
    return load_managed(tmp_path)


def test_the_managed_policy_wins_over_the_file_the_exam_and_its_own_default(
    tmp_path: Path,
) -> None:
    policy = managed(tmp_path, "[policy]\nallow_zoom = false\nclipboard = 'block'\n")
    layers = Layers(
        file={"policy": {"allow_zoom": True, "context_menu": True}},
        seb={"policy": {"clipboard": "allow"}, "session": {"autostart": True}},
        managed=policy,
    )
    config = layers.config()
    assert (config.policy.allow_zoom, config.policy.clipboard) == (False, "block")
    assert config.policy.context_menu and config.session.autostart
    rows = {r.key: r for r in layers.rows()}
    assert (rows["policy.allow_zoom"].source, rows["policy.allow_zoom"].locked) == ("managed", True)
    assert rows["policy.clipboard"].source == "managed"
    assert (rows["policy.context_menu"].source, rows["policy.context_menu"].locked) == (
        "file",
        False,
    )
    assert rows["session.autostart"].source == "seb"
    assert rows["policy.allow_reload"].source == "default"


def test_a_command_line_option_may_not_change_a_locked_key(tmp_path: Path) -> None:
    policy = managed(tmp_path, "[devices]\ncamera = 'none'\n")
    with pytest.raises(
        UsageError, match=r"--camera: locked by the managed policy \(.*policy.toml\)"
    ):
        Layers(cli={"devices": {"camera": "0"}}, managed=policy)
    same = Layers(cli={"devices": {"camera": "none"}}, managed=policy)  # saying it again is fine
    assert same.config().devices.camera == "none"
    assert {r.key: r.source for r in same.rows()}["devices.camera"] == "managed"


def test_the_test_machine_allowance_is_the_managed_policys_alone(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"engine\.unsafe_engine_allowance: only the managed"):
        Layers(file={"engine": {"unsafe_engine_allowance": True}})
    policy = managed(tmp_path, "[engine]\nunsafe_engine_allowance = false\n")
    assert Layers(managed=policy).config().engine.unsafe_engine_allowance is False
    assert Layers().config().engine.unsafe_engine_allowance is True  # a source checkout


def test_on_macos_the_policy_is_the_profiles_managed_preferences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a configuration profile installs (a binary plist), read where macOS puts it."""
    import plistlib
    import sys

    from kiosk.config import managed as managed_mod

    place = tmp_path / "Managed Preferences" / f"{managed_mod.MACOS_DOMAIN}.plist"
    monkeypatch.setattr(managed_mod, "MACOS_PLIST", place)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert load_managed() == ManagedPolicy()  # no profile installed
    place.parent.mkdir()
    settings = {"policy": {"clipboard": "block"}, "engine": {"unsafe_engine_allowance": False}}
    place.write_bytes(plistlib.dumps(settings, fmt=plistlib.FMT_BINARY))
    found = load_managed()
    assert found.files == (place,) and found.values == settings
    assert (
        Layers(file={"policy": {"clipboard": "allow"}}, managed=found).config().policy.clipboard
        == "block"
    )
    place.write_bytes(plistlib.dumps({"policy": {"clipboard": b"block"}}))
    with pytest.raises(UsageError, match=r"managed policy .*\.plist: policy\.clipboard"):
        load_managed()
    place.write_bytes(b"not a plist")
    with pytest.raises(UsageError, match="not a property list"):
        load_managed()
