"""Fill the English catalogue from the msgids, which are written in English.

`make translations` runs this after `pybabel update`, so English is always
complete; every other language is translated by people.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOGUE = Path(__file__).resolve().parent / "en" / "LC_MESSAGES" / "messages.po"


def main() -> int:
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    filled = 0
    for message in catalogue:
        if not message.id:
            continue
        wanted = tuple(message.id) if isinstance(message.id, tuple | list) else message.id
        if message.string != wanted or message.fuzzy:
            message.string = wanted
            message.flags.discard("fuzzy")
            filled += 1
    with CATALOGUE.open("wb") as handle:
        write_po(handle, catalogue, width=0, sort_output=True)
    print(f"English catalogue: {filled} entries filled from their msgids")
    return 0


if __name__ == "__main__":
    sys.exit(main())
