"""``python -m mutuo_aiuto.matching``: the answer on stdout or in a file, exit 2 on a bad file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.matching.factories import EXAMPLE_ANSWER, example

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "mutuo_aiuto.matching", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)


def _stable(answer: dict) -> dict:
    return answer | {"stats": answer["stats"] | {"seconds": None}}


def test_the_answer_goes_to_stdout(tmp_path):
    problem = tmp_path / "problem.json"
    problem.write_text(json.dumps(example()), encoding="utf-8")
    done = run(str(problem))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert _stable(json.loads(done.stdout)) == _stable(EXAMPLE_ANSWER)


def test_the_answer_goes_to_a_file(tmp_path):
    problem, answer = tmp_path / "problem.json", tmp_path / "answer.json"
    problem.write_text(json.dumps(example()), encoding="utf-8")
    done = run(str(problem), "-o", str(answer))
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert _stable(json.loads(answer.read_text())) == _stable(EXAMPLE_ANSWER)


def _bad_files() -> list[tuple[str, str, str]]:
    late = example()
    late["needs"][0]["slots"][0]["end"] = "25:00"
    nowhere = example()
    nowhere["needs"][1]["neighbourhood"] = "perugia"
    return [
        ("late", json.dumps(late), 'needs[0].slots[0].end: "25:00" is not a time HH:MM'),
        ("nowhere", json.dumps(nowhere), "needs[1].neighbourhood: unknown neighbourhood"),
        ("malformed", '{"format": 1, "needs": [', "malformed JSON at line 1"),
        ("array", "[]", "the problem must be a JSON object"),
        ("empty", "", "malformed JSON"),
        ("binary", "\x00\x01", "malformed JSON"),
    ]


@pytest.mark.parametrize(("name", "text", "message"), _bad_files(),
                         ids=[case[0] for case in _bad_files()])
def test_a_bad_file_exits_2_with_one_line(tmp_path, name: str, text: str, message: str):
    problem = tmp_path / f"{name}.json"
    problem.write_text(text, encoding="utf-8")
    done = run(str(problem))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and done.stderr.endswith("\n")
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_an_unreadable_file_exits_2(tmp_path):
    done = run(str(tmp_path / "missing.json"))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "cannot read the file" in done.stderr


def test_a_directory_exits_2(tmp_path):
    done = run(str(tmp_path))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
