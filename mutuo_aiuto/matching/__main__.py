"""``python -m mutuo_aiuto.matching PROBLEM.json [-o ANSWER.json]``.

Writes the answer as JSON (stdout, or the ``-o`` file) and exits 0; for a
problem that breaks the format it prints one line naming the field on stderr
and exits 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.matching.fileformat import answer_to_dict, dumps, load_problem
from mutuo_aiuto.matching.solver import solve

BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mutuo_aiuto.matching",
        description="Propose pairings of needs and offers for a matching problem file.")
    parser.add_argument("problem", help="the problem, a JSON file (format 1)")
    parser.add_argument("-o", "--output", type=Path, help="write the answer here, not to stdout")
    args = parser.parse_args(argv)
    try:
        problem = load_problem(args.problem)
    except ProblemError as error:
        return _fail(f"{args.problem}: {error.message}" if not error.path else str(error))
    text = dumps(answer_to_dict(solve(problem)))
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        return _fail(f"{args.output}: cannot write the answer ({error.strerror})")
    return 0


def _fail(message: str) -> int:
    print(" ".join(message.split()), file=sys.stderr)
    return BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
