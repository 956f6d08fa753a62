"""The help network's figures (``network.measure``) per period, as cubes to publish.

Each household's profile for the ties across groups: its neighbourhood, the age
band of its eldest member, the citizenship group furthest from Italian any member
has (outside the EU, then another EU country, then Italian: "prefer not to say"
and no answer leave it unknown) and the languages it listed.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date

from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Rows
from mutuo_aiuto.services.figures.network import NetworkFigures, Profile, Tie, measure
from mutuo_aiuto.services.figures.participants import age_band
from mutuo_aiuto.services.figures.windows import Windows

ORIGINS = ("third_country", "other_eu", "italian")
COUNTS = ("households", "ties", "new_ties", "repeated_ties")
RATIOS = {"network_share_across_neighbourhoods": "across_share",
          "network_largest_component_share": "largest_component_share",
          "network_density": "density", "network_reciprocity": "reciprocity",
          "network_clustering": "clustering"}
ACROSS = {"network_ties_across_age_bands": ("ties_across_age", "ties_age_known"),
          "network_ties_across_citizenship": ("ties_across_origin", "ties_origin_known"),
          "network_ties_without_shared_language": ("ties_no_shared_language",
                                                   "ties_language_known")}


def profiles(rows: Rows, on: date) -> dict[int, Profile]:
    found = {}
    for home in rows.homes.values():
        people = rows.people.get(home.id) or []
        years = [p.birth_year for p in people if p.birth_year is not None]
        origins = {p.citizenship for p in people}
        found[home.id] = Profile(
            place=home.place, age_band=age_band(min(years), on) if years else None,
            origin=next((o for o in ORIGINS if o in origins), None),
            languages=home.languages)
    return found


def ties(rows: Rows) -> list[Tie]:
    return [Tie(p.helper, p.family, p.confirmed, p.helper_place, p.family_place)
            for p in rows.pairings if p.counted]


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    every = ties(rows)
    made: dict[str, Cube] = {}

    def cube(name: str, axes: tuple[str, ...] = ()) -> Cube:
        return made.setdefault(name, Cube(BY_NAME[name], windows.cumulative, axes,
                                          overall=name not in ACROSS))

    for key, period in windows.each():
        found = measure(every, profiles(rows, period.end), period.start, period.end)
        for name in COUNTS:
            cube(f"network_{name}").put(key, (), getattr(found, name))
        cube("network_bridging_households").put(key, (), found.bridging)
        for (helper_place, family_place), pairings in sorted(
                found.matrix.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
            cube("network_help_between_neighbourhoods", ("neighbourhood", "category")).add(
                key, (family_place, helper_place), pairings)
        cube("network_help_between_neighbourhoods", ("neighbourhood", "category"))
        for name, (across, known) in ACROSS.items():
            cube(name, ("category",)).put(key, ("across",), getattr(found, across))
            cube(name, ("category",)).put(key, ("known",), getattr(found, known))
        _ratios(cube, key, found)
    return list(made.values())


def _ratios(cube: Callable[[str], Cube], key: Hashable, found: NetworkFigures) -> None:
    """Shares and coefficients stand on the households of the network: under 5, hidden."""
    for name, attribute in RATIOS.items():
        cube(name).put(key, (), getattr(found, attribute), count=found.households)
