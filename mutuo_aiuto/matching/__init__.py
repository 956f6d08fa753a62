"""The matcher of Mutuo Aiuto: proposes pairings of needs and offers, with reasons.

Pure Python and networkx: nothing here imports Flask, SQLAlchemy or the web
app's models. The contract (file format, rules, score) is
``matching-problem.md``; the public API is below.

    problem = load_problem("problem.json")      # or load_problem(dict), or build dataclasses
    answer = solve(problem)                      # every rule respected, near the optimum
    answer_to_dict(answer)                       # the answer's JSON form
    check_answer(problem, answer)                # [] when the answer breaks no rule
    propose_for_need(prepare(problem, answer.proposals), need)   # one need, in milliseconds
"""

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.check import check_answer
from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.matching.fileformat import (
    answer_to_dict,
    dumps,
    load_problem,
    problem_from_dict,
    problem_to_dict,
)
from mutuo_aiuto.matching.incremental import Prepared, prepare, propose_for_need
from mutuo_aiuto.matching.model import (
    Answer,
    FixedPair,
    Need,
    Offer,
    Problem,
    Proposal,
    Reason,
    Slot,
    Stats,
    Weights,
)
from mutuo_aiuto.matching.solver import solve
from mutuo_aiuto.matching.validate import validate_problem

__all__ = [
    "Answer",
    "FixedPair",
    "Need",
    "Offer",
    "OfferIndex",
    "Prepared",
    "Problem",
    "ProblemError",
    "Proposal",
    "Reason",
    "Slot",
    "Stats",
    "Weights",
    "answer_to_dict",
    "check_answer",
    "dumps",
    "load_problem",
    "prepare",
    "problem_from_dict",
    "problem_to_dict",
    "propose_for_need",
    "solve",
    "validate_problem",
]
