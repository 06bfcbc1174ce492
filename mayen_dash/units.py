"""One name per organisational unit: spellings that probably mean the same unit, and merging them.

The Verantwortlichkeit column is typed by hand, report after report: "Zentralbereich" beside
"Zentralbereich 1", "ZB" beside "Zentralbereich", "Bereich 2.1" beside "bereich 2.1". A
department head who filters for "Zentralbereich 1" then misses the measures written the other
way. `suggestions` finds such spellings in a report; an editor decides, and the store keeps
the decision (`SnapshotStore.merge_units`): from then on `merge_units` gives every Stand the
one name, so filters, counts, charts, exports and the council report all count the unit once.

A workbook's Organisation sheet wins for its own texts: where it says a Verantwortlichkeit means
other units than the text reads ("Klimaschutz/Umwelt" is one unit, not two), that is what the city
decided, and a merge does not rename them. A sheet row that only repeats the text decides nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, replace

import pandas as pd

from .formatting import format_count_noun
from .model import Report
from .normalize import responsibility_key
from .vocabulary import UNIT_ABBREVIATIONS, fold

SAME_SPELLING = "Schreibweise"
ABBREVIATION = "Abkürzung"
PREFIX = "Anfang"

_ABBREVIATED = re.compile(r"\b(" + "|".join(map(re.escape, UNIT_ABBREVIATIONS)) + r")\b\.?", re.IGNORECASE)
# What may follow a unit's name in a longer one that means the same unit: "Zentralbereich" → "Zentralbereich 1".
# Not a "." ("Bereich 2" is the Bereich above "Bereich 2.1") and not a letter ("Bereich" in "Bereichsleitung").
_CONTINUATION = re.compile(r"[\s/(-]")


@dataclass(frozen=True)
class Suggestion:
    """Spellings that probably name one unit, the most used first, and why they are thought to."""

    names: tuple[str, ...]  # for PREFIX the incomplete name first, then those that continue it
    counts: tuple[int, ...]
    reason: str  # SAME_SPELLING, ABBREVIATION or PREFIX

    @property
    def into(self) -> str:
        """The name to offer first: the most used, and for an incomplete name the most used that completes it."""
        return self.names[1] if self.reason == PREFIX else self.names[0]

    @property
    def message(self) -> str:
        listed = " und ".join(
            f"„{name}“ ({format_count_noun(count, 'Maßnahme', 'Maßnahmen')})"
            for name, count in zip(self.names, self.counts, strict=True)
        )
        why = {
            SAME_SPELLING: "unterscheiden sich nur in Groß- und Kleinschreibung, Leerzeichen oder Umlauten",
            ABBREVIATION: "unterscheiden sich nur in einer Abkürzung",
            PREFIX: "beginnen gleich; der kürzere Name ist wohl unvollständig",
        }[self.reason]
        return f"{listed} {why}. Meinen sie dieselbe Organisationseinheit?"


def unit_key(name: str) -> str:
    """A unit's name with abbreviations written out and case, spaces, punctuation and umlauts ignored."""
    return fold(_ABBREVIATED.sub(lambda m: UNIT_ABBREVIATIONS[m[1].upper()], name))


def unit_counts(measures: pd.DataFrame) -> Counter[str]:
    """Measures per unit (a shared measure counts for each of its units)."""
    return Counter(unit for units in measures["units"] for unit in units)


def suggestions(measures: pd.DataFrame) -> list[Suggestion]:
    """Spellings in these measures that probably mean the same unit, for an editor to decide.

    Two kinds: names equal but for case, spacing, punctuation, umlauts or an abbreviation
    ("ZB 1", "Zentralbereich 1", "zentralbereich 1"); and a name that another one continues
    after a space, "/", "(" or "-" ("Zentralbereich" and "Zentralbereich 1"), which usually
    is the same unit written incompletely. A name that several others continue is offered
    with all of them, so that the editor picks the right one.
    """
    counts = unit_counts(measures)
    by_key: dict[str, list[str]] = {}
    for name in counts:
        by_key.setdefault(unit_key(name), []).append(name)

    def ranked(names: list[str]) -> tuple[tuple[str, ...], tuple[int, ...]]:
        # The most used first, then the longest (written out rather than abbreviated): the default name.
        ordered = sorted(names, key=lambda n: (-counts[n], -len(n), n.casefold(), n))
        return tuple(ordered), tuple(counts[n] for n in ordered)

    found: list[Suggestion] = []
    for names in by_key.values():
        if len(names) > 1:
            spelled = {fold(name) for name in names}
            reason = SAME_SPELLING if len(spelled) == 1 else ABBREVIATION
            found.append(Suggestion(*ranked(names), reason))
    # One spelling per key stands for its group in the prefix comparison: the most used.
    representative = {key: ranked(names)[0][0] for key, names in by_key.items()}
    spelt = {key: " ".join(_ABBREVIATED.sub(lambda m: UNIT_ABBREVIATIONS[m[1].upper()], name).casefold().split())
             for key, name in representative.items()}
    for key, short in spelt.items():
        longer = [
            representative[other]
            for other, text in spelt.items()
            if other != key and text.startswith(short) and _CONTINUATION.match(text, len(short))
        ]
        if longer:
            names, numbers = ranked(longer)
            found.append(Suggestion((representative[key], *names), (counts[representative[key]], *numbers), PREFIX))
    return sorted(found, key=lambda s: (-sum(s.counts), s.names))


def merge_units(report: Report, names: Mapping[str, str]) -> Report:
    """The report with each unit spelling of `names` replaced by the unit it stands for.

    Rows whose units the workbook's Organisation sheet decides (Report.organised) keep them.
    The measure table is copied only in its units column; the rest is shared.
    """
    if not names:
        return report
    organised = report.organised
    renamed: dict[tuple[str, str], tuple[str, ...]] = {}

    def rename(responsible: str, units: tuple[str, ...]) -> tuple[str, ...]:
        key = (responsible, units)
        if key not in renamed:
            if responsibility_key(responsible) in organised:
                renamed[key] = units
            else:
                renamed[key] = tuple(dict.fromkeys(names.get(unit, unit) for unit in units))
        return renamed[key]

    measures = report.measures
    units = [rename(r, u) for r, u in zip(measures["responsible"], measures["units"], strict=True)]
    merged = measures.assign(units=pd.Series(units, index=measures.index, dtype=object))
    return replace(report, measures=merged, unit_names=tuple(sorted(names.items())))


def names_frame(names: Mapping[str, str]) -> pd.DataFrame:
    """The merged spellings as a table for the Daten page, sorted by the unit they count as."""
    rows = sorted(names.items(), key=lambda item: (item[1].casefold(), item[0].casefold()))
    return pd.DataFrame(rows, columns=["Schreibweise", "zählt als"], dtype=object)
