"""Fail when a distribution installed here differs from requirements/lock.txt.

Run by ``make lint`` (and so by CI) with the virtualenv's Python: it reads the
lock (``name==version`` lines with their hashes, written by ``make lock``) and
compares every entry whose environment marker applies with the version
``importlib.metadata`` finds installed. No network: a vulnerability database
is not reachable from CI, so what is checked is that the exact dependency set
audited and recorded in the lock is the one the tests ran against.

Distributions installed but not in the lock (pip itself, the project, the
benchmark extra) are not judged.
"""

from __future__ import annotations

import re
import sys
from importlib.metadata import distributions
from pathlib import Path

from packaging.markers import Marker
from packaging.utils import canonicalize_name

LOCK = Path(__file__).resolve().parent / "lock.txt"
PINNED = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)"
                    r"\s*(?:;(?P<marker>[^\\]+))?")


def locked(text: str) -> dict[str, str]:
    """Every pin of the lock that applies to this interpreter: name → version."""
    pins = {}
    for line in text.splitlines():
        found = PINNED.match(line)
        if found is None:
            continue
        marker = found.group("marker")
        if marker and not Marker(marker.strip()).evaluate():
            continue
        pins[canonicalize_name(found.group("name"))] = found.group("version")
    return pins


def installed() -> dict[str, str]:
    return {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}


def differences(pins: dict[str, str], present: dict[str, str]) -> list[str]:
    problems = []
    for name, version in sorted(pins.items()):
        if name not in present:
            problems.append(f"{name}: locked {version}, not installed")
        elif present[name] != version:
            problems.append(f"{name}: locked {version}, installed {present[name]}")
    return problems


def main() -> int:
    pins = locked(LOCK.read_text(encoding="utf-8"))
    if not pins:
        print(f"{LOCK} holds no pinned distribution", file=sys.stderr)
        return 1
    problems = differences(pins, installed())
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} distributions differ from {LOCK.name}: reinstall "
              "(rm -r .venv && make .venv/.stamp-test) or, after a deliberate change, "
              "make lock", file=sys.stderr)
        return 1
    print(f"{len(pins)} locked distributions installed at their locked versions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
