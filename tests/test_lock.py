"""The dependency lock: complete, and checked against what is installed (no network)."""

from __future__ import annotations

import configparser
import importlib.util
import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("check_lock", ROOT / "requirements/check_lock.py")
assert spec is not None and spec.loader is not None
check_lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_lock)


def test_the_lock_pins_every_dependency_of_the_app_its_tests_and_its_tools():
    setup = configparser.ConfigParser()
    setup.read(ROOT / "setup.cfg")
    wanted = setup["options"]["install_requires"].split()
    for extra in ("test", "dev"):
        wanted += setup["options.extras_require"][extra].split()
    names = {canonicalize_name(re.split(r"[\[<>=!~;]", line)[0]) for line in wanted if line}
    text = (ROOT / "requirements/lock.txt").read_text()
    pins = check_lock.locked(text)
    assert names <= pins.keys(), names - pins.keys()
    # Every pin carries its hashes: the lock records the exact files, not only versions.
    for block in re.split(r"\n(?=[a-z0-9])", text.split("\n\n", 1)[-1]):
        if "==" in block.splitlines()[0]:
            assert "--hash=sha256:" in block, block.splitlines()[0]


def test_this_environment_matches_the_lock():
    assert check_lock.main() == 0


def test_a_version_that_differs_from_the_lock_is_reported():
    pins = check_lock.locked("flask==3.1.3 \\\n    --hash=sha256:00\n"
                             "tomli==2.0.1 ; python_version < \"3.0\" \\\n"
                             "requests==2.0.0\n")
    assert pins == {"flask": "3.1.3", "requests": "2.0.0"}  # tomli's marker does not apply
    assert check_lock.differences(pins, {"flask": "3.1.2"}) == [
        "flask: locked 3.1.3, installed 3.1.2", "requests: locked 2.0.0, not installed"]
    assert check_lock.differences(pins, {"flask": "3.1.3", "requests": "2.0.0",
                                         "pip": "26.0"}) == []


def test_main_fails_on_a_difference(monkeypatch, capsys):
    present = check_lock.installed()
    name = next(iter(check_lock.locked(check_lock.LOCK.read_text())))
    monkeypatch.setattr(check_lock, "installed", lambda: present | {name: "0.0.0"})
    assert check_lock.main() == 1
    assert f"{name}: locked" in capsys.readouterr().err


@pytest.mark.parametrize("target", ["lock:", "check_lock.py"])
def test_make_has_a_lock_target_and_lint_checks_the_lock(target):
    assert target in (ROOT / "Makefile").read_text()
