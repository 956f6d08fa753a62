"""The same file gives the same answer in any process, whatever the string hash seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.generate_problem import generate
from mutuo_aiuto.matching import check_answer, load_problem, solve

ROOT = Path(__file__).resolve().parents[2]


def answer_in_subprocess(path: Path, hash_seed: str) -> dict:
    env = os.environ | {"PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-m", "mutuo_aiuto.matching", str(path)], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=300, check=True)
    answer = json.loads(done.stdout)
    del answer["stats"]["seconds"]
    return answer


@pytest.mark.parametrize("city", [False, True], ids=["hub", "city"])
def test_the_answer_does_not_depend_on_the_hash_seed(tmp_path, city):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(generate(300, 300, seed=7, city=city)), encoding="utf-8")
    answers = [answer_in_subprocess(path, seed) for seed in ("0", "1", "4242")]
    assert answers[0] == answers[1] == answers[2]
    assert answers[0]["proposals"]


def test_a_generated_problem_is_solved_within_the_rules():
    problem = load_problem(generate(300, 300, seed=3))
    answer = solve(problem)
    assert check_answer(problem, answer) == []
    assert answer.stats.allowed_pairs > len(answer.proposals) > 0
