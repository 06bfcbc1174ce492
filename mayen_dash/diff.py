"""Compare two reports' measures: what has changed since the last status report.

Measures are paired in stages, each stage taking only what the earlier ones left:

1. the user's `overrides`: a forced pair, or an old measure declared gone;
2. the ID, where both sides have one (case and spaces ignored);
3. the normalised title (`normalize_title`), whatever the IDs say, because
   renumbered measures keep their titles;
4. a close title, for small edits: difflib ratio of the normalised titles of at
   least `FUZZY_THRESHOLD`, best pairs first, one to one, never between two
   different IDs. Such pairs carry `fuzzy=True`: "Gewerbeanmeldung" and
   "Gewerbeabmeldung" are as close as a corrected typing error, so the user
   must see these pairs and be able to undo them with `overrides`.

An ID or title repeated on one side is paired in order of appearance: the
first old "Wohngeld" with the first new one, the second with the second.
Statuses are compared by code, so "abgeschlossen" and "erledigt" are the same;
Zieldatum is compared as written, with runs of whitespace counting as one space.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict, deque
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from .formatting import format_count, text_or_empty
from .vocabulary import DONE_STATUSES, NOT_STARTED_STATUSES, STARTED_STATUSES, STATUS_LABELS, UNKNOWN_STATUS

FUZZY_THRESHOLD = 0.85
# Above this many unpaired old × new titles (5,000 × 5,000, about a second) the
# close-match stage is skipped: two such files are not editions of one report.
MAX_FUZZY_PAIRS = 25_000_000

# How a pair was found, as shown in the "Zuordnung" column.
BY_ID = "ID"
BY_TITLE = "Titel"
BY_SIMILARITY = "ähnlich"
BY_HAND = "manuell"

# Columns of `changes_frame`.
KIND_LABEL = "Art der Änderung"
ID_LABEL = "ID"
MEASURE_LABEL = "Maßnahme"
BEFORE_LABEL = "vorher"
AFTER_LABEL = "nachher"
MATCH_LABEL = "Zuordnung"
CHANGE_COLUMNS = (KIND_LABEL, ID_LABEL, MEASURE_LABEL, BEFORE_LABEL, AFTER_LABEL, MATCH_LABEL)

STATUS_CHANGED = "Status geändert"
TARGET_CHANGED = "Zieldatum geändert"
ADDED = "Neu aufgenommen"
REMOVED = "Entfallen"

MATCH_COLUMNS = (
    "old_index",
    "new_index",
    "old_id",
    "new_id",
    "old_title",
    "new_title",
    "matched_by",
    "score",
    "fuzzy",
)

# old index -> new index (force this pair) or None (the old measure has no partner).
Overrides = Mapping[Hashable, Hashable | None]

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


@lru_cache(maxsize=65536)
def normalize_title(text: str) -> str:
    """A title reduced to its words: lower case, umlauts spelled out, accents,
    punctuation and repeated whitespace gone, words separated by one space.

    Unlike `vocabulary.fold`, word boundaries survive (punctuation becomes a
    space), so "Ausbau Stufe 1.1" and "Ausbau Stufe 11" stay different; letters
    outside a-z are kept rather than dropped; and symbols, which are not
    punctuation, stay as words of their own, so "Aufwand < 2.500 €" and
    "Aufwand > 2.500 €" (two measures of the bundled report) stay different.
    "Pass/Personalausweis", "pass / Personalausweis" and "Pass-Personalausweis"
    are all one title; "Bürgerservice" and "Bürger-Service" are not, and meet in
    the close-match stage.
    """
    text = unicodedata.normalize("NFC", text).casefold().translate(_UMLAUTS)
    return " ".join("".join(map(_title_char, unicodedata.normalize("NFKD", text))).split())


def _title_char(char: str) -> str:
    category = unicodedata.category(char)
    if category[0] in "LN":
        return char
    if category == "Mn":  # an accent, split off its letter by NFKD
        return ""
    return f" {char} " if category[0] == "S" else " "


def _id_key(text: str) -> str:
    return "".join(text.split()).casefold()


def _squash(text: str) -> str:
    return " ".join(text.split())


def _status(text: str) -> str:
    return text or UNKNOWN_STATUS


def _timestamp(value: object) -> pd.Timestamp | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value)


@dataclass(frozen=True)
class Change:
    """One field of a paired measure that differs: status codes or raw Zieldatum texts.

    `measure` and `id` are the new report's (the old ID if the new row has none).
    For a Zieldatum change, `old_due` and `new_due` are the due dates read from the texts.
    """

    measure: str
    id: str
    old: str
    new: str
    fuzzy: bool = False
    matched_by: str = BY_ID
    old_index: Hashable = None
    new_index: Hashable = None
    old_due: pd.Timestamp | None = None
    new_due: pd.Timestamp | None = None


@dataclass
class Comparison:
    """The differences between an old and a new measure table.

    `added` and `removed` are the unpaired rows of the new and old table, in
    their order; `matches` is the pairing table (MATCH_COLUMNS), in the new
    table's order. `newly_done` and `newly_started` are subsets of `status_changed`.
    `fuzzy_skipped` tells that too many measures were left for the close-match stage.
    """

    matches: pd.DataFrame
    added: pd.DataFrame
    removed: pd.DataFrame
    status_changed: list[Change] = field(default_factory=list)
    target_changed: list[Change] = field(default_factory=list)
    newly_done: list[Change] = field(default_factory=list)
    newly_started: list[Change] = field(default_factory=list)
    fuzzy_skipped: bool = False

    @property
    def fuzzy_matches(self) -> pd.DataFrame:
        """The pairs found by similar titles only, for the user to confirm or split."""
        return self.matches[self.matches["fuzzy"]]

    @property
    def has_changes(self) -> bool:
        return bool(len(self.added) or len(self.removed) or self.status_changed or self.target_changed)


@dataclass(frozen=True)
class _Pair:
    old: Hashable
    new: Hashable
    matched_by: str
    score: float = 1.0

    @property
    def fuzzy(self) -> bool:
        return self.matched_by == BY_SIMILARITY


def compare(old: pd.DataFrame, new: pd.DataFrame, overrides: Overrides | None = None) -> Comparison:
    """Pair the measures of two reports and list what changed from `old` to `new`.

    `overrides` maps an old row's index label to a new row's label to force that
    pair, or to None to leave the old measure without partner (a wrongly paired
    similar title then shows as removed and added). Overridden rows take part
    in no other stage. Raises ValueError for unknown labels or a new row forced twice.
    """
    for name, frame in (("old", old), ("new", new)):
        if not frame.index.is_unique:
            raise ValueError(f"the {name} measures need a unique index")
    before, after = _columns(old), _columns(new)
    pairs, fuzzy_skipped = _pairs(before, after, overrides or {})
    new_position = {label: i for i, label in enumerate(new.index)}
    pairs.sort(key=lambda p: new_position[p.new])

    status_changed: list[Change] = []
    target_changed: list[Change] = []
    for pair in pairs:
        common = {
            "measure": after["title"][pair.new],
            "id": after["id"][pair.new].strip() or before["id"][pair.old].strip(),
            "fuzzy": pair.fuzzy,
            "matched_by": pair.matched_by,
            "old_index": pair.old,
            "new_index": pair.new,
        }
        old_status, new_status = _status(before["status"][pair.old]), _status(after["status"][pair.new])
        if old_status != new_status:
            status_changed.append(Change(old=old_status, new=new_status, **common))
        old_target, new_target = _squash(before["target"][pair.old]), _squash(after["target"][pair.new])
        if old_target != new_target:
            target_changed.append(
                Change(
                    old=old_target,
                    new=new_target,
                    old_due=_timestamp(before["due"].get(pair.old)),
                    new_due=_timestamp(after["due"].get(pair.new)),
                    **common,
                )
            )

    paired_old = {p.old for p in pairs}
    paired_new = {p.new for p in pairs}
    return Comparison(
        matches=_matches_frame(before, after, pairs),
        added=new[[label not in paired_new for label in new.index]],
        removed=old[[label not in paired_old for label in old.index]],
        status_changed=status_changed,
        target_changed=target_changed,
        newly_done=[c for c in status_changed if c.new in DONE_STATUSES and c.old not in DONE_STATUSES],
        newly_started=[c for c in status_changed if c.old in NOT_STARTED_STATUSES and c.new in STARTED_STATUSES],
        fuzzy_skipped=fuzzy_skipped,
    )


_Lookups = dict[str, dict[Hashable, Any]]


def _columns(measures: pd.DataFrame) -> _Lookups:
    """The fields compared, as label -> value lookups: texts ("" for missing) and due dates."""
    lookups: _Lookups = {
        name: dict(zip(measures.index, map(text_or_empty, measures[name].tolist()), strict=True))
        for name in ("id", "title", "status", "target")
    }
    lookups["due"] = dict(zip(measures.index, measures["due"].tolist(), strict=True)) if "due" in measures else {}
    return lookups


def _pairs(before: _Lookups, after: _Lookups, overrides: Overrides) -> tuple[list[_Pair], bool]:
    """All pairs, stage by stage, and whether the close-match stage was skipped."""
    old_free = dict.fromkeys(before["title"])  # ordered sets of the rows still without partner
    new_free = dict.fromkeys(after["title"])
    pairs: list[_Pair] = []
    for old_label, new_label in overrides.items():
        if old_label not in old_free:
            raise ValueError(f"override: no old measure with index {old_label!r}")
        del old_free[old_label]
        if new_label is None:
            continue
        if new_label not in after["title"]:
            raise ValueError(f"override: no new measure with index {new_label!r}")
        if new_label not in new_free:
            raise ValueError(f"override: new measure {new_label!r} is paired twice")
        del new_free[new_label]
        pairs.append(_Pair(old_label, new_label, BY_HAND))

    old_ids = {label: _id_key(v) for label, v in before["id"].items()}
    new_ids = {label: _id_key(v) for label, v in after["id"].items()}
    pairs += _exact(old_free, new_free, old_ids, new_ids, BY_ID)
    # Titles are normalised only for the rows the IDs left without partner: in a list kept with IDs, few.
    old_titles = {label: normalize_title(before["title"][label]) for label in old_free}
    new_titles = {label: normalize_title(after["title"][label]) for label in new_free}
    pairs += _exact(old_free, new_free, old_titles, new_titles, BY_TITLE)
    similar = _similar(old_free, new_free, old_titles, new_titles, old_ids=old_ids, new_ids=new_ids)
    return pairs + (similar or []), similar is None


def _exact(
    old_free: dict[Hashable, None],
    new_free: dict[Hashable, None],
    old_keys: Mapping[Hashable, str],
    new_keys: Mapping[Hashable, str],
    matched_by: str,
) -> list[_Pair]:
    """Pairs of equal non-empty keys; a key repeated on one side pairs in order."""
    waiting: dict[str, deque[Hashable]] = defaultdict(deque)
    for label in new_free:
        if new_keys[label]:
            waiting[new_keys[label]].append(label)
    pairs = []
    for label in list(old_free):
        queue = waiting.get(old_keys[label])
        if queue:
            partner = queue.popleft()
            pairs.append(_Pair(label, partner, matched_by))
            del old_free[label], new_free[partner]
    return pairs


def _similar(
    old_free: dict[Hashable, None],
    new_free: dict[Hashable, None],
    old_titles: Mapping[Hashable, str],
    new_titles: Mapping[Hashable, str],
    *,
    old_ids: Mapping[Hashable, str],
    new_ids: Mapping[Hashable, str],
) -> list[_Pair] | None:
    """Close titles, best ratio first (ties in table order), each row used once; None if too many.

    difflib's ratio never exceeds the share of letters two titles have in
    common (its quick_ratio), so that bound is computed for all old titles at
    once with numpy, and only the few pairs that pass it are compared letter by letter.
    """
    old_labels = [label for label in old_free if old_titles[label]]
    new_labels = [label for label in new_free if new_titles[label]]
    if not old_labels or not new_labels:
        return []
    if len(old_labels) * len(new_labels) > MAX_FUZZY_PAIRS:
        return None
    old_texts = [old_titles[label] for label in old_labels]
    new_texts = [new_titles[label] for label in new_labels]
    alphabet = {c: i for i, c in enumerate(sorted({c for text in old_texts + new_texts for c in text}))}
    old_counts, new_counts = _letter_counts(old_texts, alphabet), _letter_counts(new_texts, alphabet)
    old_lengths = old_counts.sum(axis=1)

    candidates: list[tuple[float, int, int]] = []
    matcher = SequenceMatcher(autojunk=False)
    for j, (new_label, new_text) in enumerate(zip(new_labels, new_texts, strict=True)):
        common = np.minimum(old_counts, new_counts[j]).sum(axis=1)
        bound = 2.0 * common / (old_lengths + len(new_text))
        close = np.flatnonzero(bound >= FUZZY_THRESHOLD)
        if not len(close):
            continue
        matcher.set_seq2(new_text)  # difflib caches its analysis of the second sequence
        for i in close.tolist():
            old_label = old_labels[i]
            if old_ids[old_label] and new_ids[new_label] and old_ids[old_label] != new_ids[new_label]:
                continue
            matcher.set_seq1(old_texts[i])
            ratio = matcher.ratio()
            if ratio >= FUZZY_THRESHOLD:
                candidates.append((ratio, i, j))
    candidates.sort(key=lambda c: (-c[0], c[1], c[2]))
    pairs = []
    for ratio, i, j in candidates:
        old_label, new_label = old_labels[i], new_labels[j]
        if old_label in old_free and new_label in new_free:
            pairs.append(_Pair(old_label, new_label, BY_SIMILARITY, round(ratio, 3)))
            del old_free[old_label], new_free[new_label]
    return pairs


def _letter_counts(texts: list[str], alphabet: Mapping[str, int]) -> np.ndarray:
    counts = np.zeros((len(texts), len(alphabet)), dtype=np.int32)
    for row, text in enumerate(texts):
        for letter, count in Counter(text).items():
            counts[row, alphabet[letter]] = count
    return counts


def _matches_frame(before: _Lookups, after: _Lookups, pairs: Iterable[_Pair]) -> pd.DataFrame:
    rows = [
        (
            p.old,
            p.new,
            before["id"][p.old],
            after["id"][p.new],
            before["title"][p.old],
            after["title"][p.new],
            p.matched_by,
            p.score,
            p.fuzzy,
        )
        for p in pairs
    ]
    frame = pd.DataFrame(rows, columns=list(MATCH_COLUMNS))
    return frame.astype({"score": float, "fuzzy": bool})


def _titles(measures: pd.DataFrame) -> list[str]:
    return [_name(title, identifier) for title, identifier in zip(measures["title"], measures["id"], strict=True)]


def _name(title: object, identifier: object) -> str:
    """What a measure is called in text: its title, else its ID."""
    return text_or_empty(title).strip() or text_or_empty(identifier).strip()


def to_dict(comparison: Comparison) -> dict[str, list]:
    """The changes for JSON: titles, status codes and raw Zieldatum texts."""
    return {
        "added": _titles(comparison.added),
        "removed": _titles(comparison.removed),
        "status_changed": [
            {"measure": _name(c.measure, c.id), "from": c.old, "to": c.new} for c in comparison.status_changed
        ],
        "target_changed": [
            {"measure": _name(c.measure, c.id), "from": c.old, "to": c.new} for c in comparison.target_changed
        ],
    }


def status_label(code: str) -> str:
    """The German label of a status code; an unknown code as it is."""
    return STATUS_LABELS.get(code, code)


def changes_frame(comparison: Comparison) -> pd.DataFrame:
    """Every change as a row with German headers, for the screen and for download."""
    rows: list[tuple[str, str, str, str, str, str]] = []
    for c in comparison.status_changed:
        rows.append((STATUS_CHANGED, c.id, c.measure, status_label(c.old), status_label(c.new), c.matched_by))
    for c in comparison.target_changed:
        rows.append((TARGET_CHANGED, c.id, c.measure, c.old, c.new, c.matched_by))
    for identifier, title, status in _fields(comparison.added):
        rows.append((ADDED, identifier, title, "", status, ""))
    for identifier, title, status in _fields(comparison.removed):
        rows.append((REMOVED, identifier, title, status, "", ""))
    return pd.DataFrame(rows, columns=list(CHANGE_COLUMNS), dtype=object).astype(str)


def _fields(measures: pd.DataFrame) -> Iterable[tuple[str, str, str]]:
    """ID, title and status label of each row."""
    for identifier, title, status in zip(measures["id"], measures["title"], measures["status"], strict=True):
        yield text_or_empty(identifier), text_or_empty(title), status_label(_status(text_or_empty(status)))


def _listing(items: list[str], limit: int | None = None) -> str:
    """Items joined by commas, or by semicolons when an item holds a comma itself; beyond `limit`, a count."""
    shown = items if limit is None or len(items) <= limit else items[:limit]
    text = ("; " if any("," in item for item in shown) else ", ").join(shown)
    if len(shown) < len(items):
        text += f" und {format_count(len(items) - len(shown))} weitere"
    return text


def _target_text(text: str) -> str:
    return text or "ohne Angabe"


def summary_lines(comparison: Comparison, limit: int | None = None) -> list[str]:
    """German lines for the next report's section "Fortschritte seit letztem Fortschrittsbericht".

    `limit` lists at most that many measures per line and counts the rest ("und 4.812 weitere"):
    a screen cannot show thousands of titles in one paragraph, the download carries them all.
    """
    lines = []
    reported = {id(c) for c in (*comparison.newly_done, *comparison.newly_started)}
    other = [c for c in comparison.status_changed if id(c) not in reported]
    if comparison.newly_done:
        lines.append("- Erledigt: " + _listing([_name(c.measure, c.id) for c in comparison.newly_done], limit))
    if comparison.newly_started:
        lines.append("- Neu begonnen: " + _listing([_name(c.measure, c.id) for c in comparison.newly_started], limit))
    if other:
        lines.append(
            "- Status geändert: "
            + _listing(
                [f"{_name(c.measure, c.id)} ({status_label(c.old)} → {status_label(c.new)})" for c in other], limit
            )
        )
    if len(comparison.added):
        lines.append("- Neu aufgenommen: " + _listing(_titles(comparison.added), limit))
    if len(comparison.removed):
        lines.append("- Entfallen: " + _listing(_titles(comparison.removed), limit))
    if comparison.target_changed:
        lines.append(
            "- Zieldatum verschoben: "
            + _listing(
                [
                    f"{_name(c.measure, c.id)} ({_target_text(c.old)} → {_target_text(c.new)})"
                    for c in comparison.target_changed
                ],
                limit,
            )
        )
    return lines or ["- Keine Änderungen an den Maßnahmen seit dem letzten Bericht."]


def split_overrides(fuzzy: pd.DataFrame, confirmed: Sequence[bool]) -> dict[Hashable, None]:
    """Overrides that undo the close-title pairs the user did not confirm (old measure: no partner)."""
    return {old: None for old, ok in zip(fuzzy["old_index"], confirmed, strict=True) if not ok}


CONFIRMED = "Zuordnung stimmt"


def fuzzy_review_frame(comparison: Comparison) -> pd.DataFrame:
    """The close-title pairs for the user to confirm: German headers and a tick column, all ticked."""
    return (
        comparison.fuzzy_matches[["old_title", "new_title", "score"]]
        .rename(columns={"old_title": "vorher", "new_title": "nachher", "score": "Ähnlichkeit"})
        .assign(**{CONFIRMED: True})
    )


def change_figures(comparison: Comparison) -> list[tuple[str, int, str]]:
    """The headline counts of a comparison with their definitions: (label, count, help text)."""
    return [
        ("Neu erledigt", len(comparison.newly_done), "Vorher nicht erledigt, jetzt erledigt."),
        (
            "Neu begonnen",
            len(comparison.newly_started),
            "Vorher offen, unbekannt oder zurückgestellt, jetzt in Bearbeitung oder laufend.",
        ),
        (
            "Status geändert",
            len(comparison.status_changed),
            "Jede Änderung des Status; die Schreibweise zählt nicht („abgeschlossen“ und „erledigt“ sind gleich).",
        ),
        ("Neu aufgenommen", len(comparison.added), "Im späteren Stand, ohne Gegenstück im früheren."),
        ("Entfallen", len(comparison.removed), "Im früheren Stand, ohne Gegenstück im späteren."),
        (
            "Zieldatum geändert",
            len(comparison.target_changed),
            "Der eingetragene Text des Zieldatums hat sich geändert.",
        ),
    ]
