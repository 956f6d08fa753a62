"""Write a realistic matching problem in the file format (the generator is
``mutuo_aiuto.services.city_problem``, shared with ``flask seed-scale``).

    python benchmarks/generate_problem.py --needs 2000 --offers 2000 --seed 1 -o p.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mutuo_aiuto.services.city_problem import city_map, generate, hub_map

__all__ = ["city_map", "generate", "hub_map", "main"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=300)
    parser.add_argument("--offers", type=int, default=None, help="default: as many as needs")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--map", choices=("hub", "city"), default="hub")
    parser.add_argument("-o", "--output", type=Path, help="default: stdout")
    args = parser.parse_args(argv)
    data = generate(args.needs, args.offers if args.offers is not None else args.needs,
                    args.seed, city=args.map == "city")
    text = json.dumps(data, indent=1) + "\n"
    if args.output:
        args.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
