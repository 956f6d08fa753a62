"""The matcher of Mutuo Aiuto: proposes pairings of needs and offers, with reasons.

Pure Python and networkx: nothing here imports Flask, SQLAlchemy or the web
app's models. The contract (file format, rules, score) is
``matching-problem.md``; the public API is below.

    problem = load_problem("problem.json")   # or load_problem(decoded_json), or dataclasses
    validate_problem(problem)                # for a problem built from dataclasses
    answer = solve(problem)                  # every rule kept, within 0.5% of the optimum
    answer_to_dict(answer)                   # the answer's JSON form
    check_answer(problem, answer)            # [] when the answer breaks no rule
    prepared = prepare(problem, answer.proposals)
    propose_for_need(prepared, need)         # one new or edited need, in milliseconds
    ranked_for_need(prepared, need, limit)   # every offer it may get now, best first
    busy_elsewhere(prepared, need, offer_id) # the household rule below, for one pair
    keep_one_place(problem, proposals)       # an answer with the household rule applied

Where the contract leaves a choice, the matcher decides so:

* A file is read strictly: every field the format page lists, no other (an
  unknown key is an error), no coercion (``true`` is not a number, ``2.0`` is
  not an integer). ``format``, ``neighbourhoods``, ``needs`` and ``offers``
  are required; ``weights``, ``adjacency`` and ``fixed`` may be left out.
  Weights are integers of zero or more. Need ids are unique among needs,
  offer ids among offers. A slot has a ``day`` or (needs only) a ``date``,
  not both; ``24:00`` only ends a slot. Households are not declared, so
  ``previous_helpers`` may only name a household of some need or offer of
  the problem (the "household references" of the format page).
* A pair scoring 0 or less is never proposed: it cannot raise the total.
* Reasons list the parts of the score worth points (non-zero), in the
  format page's order; they always sum to the score.
* Fixed pairs are a facilitator's decisions: not checked against rules 1-6,
  never proposed again, and counted against the need's helpers and the
  offer's capacity and time. If they already fill (or overfill) an offer, it
  gets no proposal; ``check_answer`` does not blame the answer for them.
* ``stats.allowed_pairs`` counts the pairs rules 1-6 allow plus the fixed
  pairs they do not; ``stats.seconds`` is the solving time, to 0.01 s, and the
  only part of an answer that changes from one run to the next.
* Proposals are sorted by need id, then offer id; ``unmatched`` by need id.
* A helper household is in one place at a time (an extra restriction, so an
  answer feasible under it stays feasible under the contract): the incremental
  proposals (``propose_for_need``, ``ranked_for_need``) never propose an offer
  for a need while another offer of the same household serves, fixed or
  currently proposed, a different need at an overlapping time.
  ``busy_elsewhere`` is that one definition; the web app applies it to the full
  ``solve`` (which keeps the contract's per-offer rules, for its optimum) with
  ``keep_one_place``, and checks confirmations with it.
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
from mutuo_aiuto.matching.incremental import (
    Prepared,
    busy_elsewhere,
    keep_one_place,
    prepare,
    propose_for_need,
    ranked_for_need,
)
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
    "busy_elsewhere",
    "check_answer",
    "dumps",
    "keep_one_place",
    "load_problem",
    "prepare",
    "problem_from_dict",
    "problem_to_dict",
    "propose_for_need",
    "ranked_for_need",
    "solve",
    "validate_problem",
]
