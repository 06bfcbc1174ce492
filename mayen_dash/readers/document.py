"""A status report written as a document (Word, PDF, pasted text), turned into the sheets of a workbook.

The readers of documents hand over blocks: paragraphs and tables, each with its place
in the document. This module finds in them what the workbook of the same report has
on its sheets, and writes those sheets, so that the loader reads a document like a
workbook:
- "Maßnahmen": every measure table in order, in the printed layout (a lone cell naming
  a Handlungsfeld above a header, lone cells naming a Zielgruppe), a row split by a
  page break joined back together;
- "Bericht": the title block, the header table (Projektmanager, Projekttitel, …) and
  the narrative sections (Fortschritte, Geplante nächste Schritte, Problembereiche,
  Anlagen), each under its label;
- "Scorecard": one row per Messgröße of each perspective, with its Leitfrage,
  strategic goals and actions, so that the scorecard never reaches the measures;
- "Deckblatt": the lines above the first table, where the Stichtag is looked for.
What it cannot place becomes a finding that names page, table and row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..model import Finding, FindingCode
from ..vocabulary import (
    NARRATIVE_FIELDS,
    REPORT_FIELD_SYNONYMS,
    REPORT_FIELDS,
    SCORECARD_COLUMNS,
    SCORECARD_LABELS,
    TARGET_GROUPS,
    fold,
    match_column,
)
from .base import Place, Sheet, Workbook

MEASURES_SHEET, REPORT_SHEET, SCORECARD_SHEET, COVER_SHEET = "Maßnahmen", "Bericht", "Scorecard", "Deckblatt"
# Fields of the header table and the sections, as they stand in the document (key -> spellings).
_FIELD_NAMES: dict[str, tuple[str, ...]] = {
    key: (label, *REPORT_FIELD_SYNONYMS.get(key, ()))
    for key, label in REPORT_FIELDS.items()
    if key not in ("title", "subtitle", "document", "report_date")
}
_SECTIONS: tuple[str, ...] = tuple(section.key for section in NARRATIVE_FIELDS)
_DOCUMENT_KIND = re.compile(r"^[-–\s]*((?:projekt)?(?:status|fortschritts)bericht)[-–\s]*$", re.IGNORECASE)
_LEITFRAGE = re.compile(r"^\s*leitfrage\s*:?\s*", re.IGNORECASE)
_ITEM_START = re.compile(r"(?:^|\s+)[-–•]\s*(?=\S)")
_GROUPS = {fold(group) for group in TARGET_GROUPS}


@dataclass
class Paragraph:
    """A paragraph: its text, its place, whether it is set as a heading, and its list level (0: none)."""

    text: str
    place: Place
    heading: bool = False
    level: int = 0


@dataclass
class Table:
    """A table's rows of cell texts; None for a cell covered by a merged one.

    `breaks` holds the indices of rows that start on a new page (or after a blank line of
    a text), where a row of the table above may go on.
    """

    rows: list[list[str | None]]
    places: list[Place]
    breaks: set[int] = field(default_factory=set)


Block = Paragraph | Table


def _field_of(text: str, keys: tuple[str, ...]) -> tuple[str, str] | None:
    """(key, rest) if `text` starts with the name of one of the fields `keys`, else None."""
    folded = fold(text)
    for key in keys:
        for name in sorted(_FIELD_NAMES[key], key=len, reverse=True):
            name_key = fold(name)
            if name_key and folded.startswith(name_key):
                # The rest of the text after the name, found by counting its letters and digits.
                count, cut = 0, 0
                while count < len(name_key) and cut < len(text):
                    count += bool(fold(text[cut]))
                    cut += 1
                rest = text[cut:].lstrip(" \t:")
                if folded == name_key or not fold(text[cut : cut + 1]):
                    return key, rest
    return None


def _filled(row: list[str | None]) -> list[int]:
    return [j for j, cell in enumerate(row) if cell and cell.strip()]


def _header_keys(row: list[str | None]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for j, cell in enumerate(row):
        key = match_column(cell) if cell else None
        if key and key not in keys:
            keys[key] = j
    return keys


def is_measure_header(row: list[str | None]) -> bool:
    keys = _header_keys(row)
    return ("title" in keys and "status" in keys) or len(keys) >= 3


def _scorecard_keys(row: list[str | None]) -> dict[str, int]:
    keys: dict[str, int] = {}
    for j, cell in enumerate(row):
        for key in ("goals", "actions", "indicator"):
            if cell and key not in keys and fold(cell) in {fold(n) for n in SCORECARD_COLUMNS[key]}:
                keys[key] = j
    return keys


def join_fragments(first: str, second: str) -> str:
    """Two pieces of one cell's text that a line or page break parted, as one text.

    A word broken inside a narrow cell ("Zentralberei" + "ch 1") is joined without a
    space; a piece that repeats the end of the first ("Implementierung" + "ng eines")
    loses the repetition; anything else is joined with a space.
    """
    first, second = first.rstrip(), second.lstrip()
    if not first or not second:
        return first or second
    head = second.split()[0]
    if first[-1].isalpha() and head[0].islower():
        if len(head) < len(first.split()[-1]) and first.endswith(head) and len(second) > len(head):
            return f"{first} {second[len(head) :].lstrip()}"
        return first + second
    if first.endswith(("-", "/")) and not first.endswith(" -"):
        return first + second
    return f"{first} {second}"


class _Measures:
    """The rows of the measure tables, in order, with their places, rows split by a page break joined."""

    def __init__(self) -> None:
        self.rows: list[list[str]] = []
        self.places: list[Place] = []
        self.keys: dict[str, int] = {}
        self.last_measure: int | None = None  # index in rows of the last measure row

    def add(self, table: Table) -> None:
        for i, row in enumerate(table.rows):
            self._row(row, table.places[i], i in table.breaks or i == 0, table, i)

    def _row(self, row: list[str | None], place: Place, after_break: bool, table: Table, i: int) -> None:
        texts = [cell or "" for cell in row]
        filled = _filled(row)
        if not filled:
            return
        if is_measure_header(row):
            self.keys = _header_keys(row)
            self._append(texts, place)
            self.last_measure = None
            return
        title, status = self.keys.get("title", 0), self.keys.get("status")
        lone = len(filled) == 1 or all(cell is None for j, cell in enumerate(row) if j != filled[0])
        # A row that a page break cut goes on at the top of the next page, without a status of its own.
        goes_on = after_break and status is not None and status not in filled and not self._next_is_header(table, i)
        if lone and fold(texts[filled[0]]) in _GROUPS:
            goes_on = False
        if (goes_on or title not in filled) and self.last_measure is not None:
            previous = self.rows[self.last_measure]
            previous.extend([""] * (len(texts) - len(previous)))
            for j in filled:
                previous[j] = join_fragments(previous[j], texts[j])
            return
        if lone:
            self._append([texts[filled[0]].strip()], place)
            self.last_measure = None
            return
        self._append(texts, place)
        self.last_measure = len(self.rows) - 1

    @staticmethod
    def _next_is_header(table: Table, i: int) -> bool:
        for row in table.rows[i + 1 :]:
            if _filled(row):
                return is_measure_header(row)
        return False

    def _append(self, texts: list[str], place: Place) -> None:
        self.rows.append(texts)
        self.places.append(place)


def _items(cell: str) -> list[str]:
    """The entries of a scorecard cell: one per line, or marked by dashes as a PDF's text runs them together."""
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    if lines and _ITEM_START.match(lines[0]):
        lines = [part.strip() for part in _ITEM_START.split(" ".join(lines)) if part.strip()]
    return [line.lstrip("-–• ").strip() for line in lines]


@dataclass
class _Report:
    cover: list[tuple[str, Place]] = field(default_factory=list)
    fields: dict[str, tuple[str, Place]] = field(default_factory=dict)
    sections: dict[str, list[Paragraph]] = field(default_factory=dict)
    scorecard: list[tuple[list[str], Place]] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def _section_text(key: str, paragraphs: list[Paragraph]) -> str:
    parts: list[str] = []
    previous: Paragraph | None = None
    for paragraph in paragraphs:
        text = paragraph.text.strip()
        if paragraph.level:
            text = "  " * (paragraph.level - 1) + "- " + text
        if parts:
            listed = previous is not None and previous.level and paragraph.level
            parts.append("\n" if listed or key == "attachments" else "\n\n")
        parts.append(text)
        previous = paragraph
    return "".join(parts)


def _perspective_name(paragraph: Paragraph) -> bool:
    text = paragraph.text.strip()
    return len(text) <= 80 and fold(text).endswith("perspektive") and "\t" not in text


def interpret(blocks: list[Block], kind: str) -> Workbook:
    """The sheets a workbook of this report would have, and findings for what has no place in it."""
    report = _Report()
    measures = _Measures()
    section: str | None = None
    perspective: list[str] | None = None  # [name, question]
    awaiting_question = False
    in_measures = False  # the last table was a measure table: a table without header goes on with it
    seen_table = False
    for block in blocks:
        if isinstance(block, Paragraph):
            text = block.text.strip()
            if not text:
                continue
            in_measures = False
            if _perspective_name(block):
                perspective, awaiting_question, section = [text, ""], True, None
                continue
            if perspective is not None and awaiting_question:
                if _LEITFRAGE.match(text):
                    question = _LEITFRAGE.sub("", text).strip(" *")
                    perspective[1] = question
                    awaiting_question = not question
                    continue
                perspective[1], awaiting_question = text.strip(" *"), False
                continue
            heading = _field_of(text, _SECTIONS)
            if heading is not None and (not heading[1] or block.heading):
                section = heading[0]
                report.sections.setdefault(section, [])
                if heading[1]:
                    report.sections[section].append(Paragraph(heading[1], block.place, level=block.level))
                continue
            if section is not None:
                report.sections[section].append(block)
                continue
            header_field = _field_of(text, tuple(k for k in _FIELD_NAMES if k not in _SECTIONS))
            if header_field is not None and header_field[1]:
                report.fields.setdefault(header_field[0], (header_field[1], block.place))
                continue
            if not seen_table:
                report.cover.append((text, block.place))
                continue
            report.findings.append(
                Finding(
                    f"Der Absatz „{_short(text)}“ gehört zu keinem Teil des Berichts; er wird nicht verwendet.",
                    None,
                    block.place.row,
                    page=block.place.page,
                    table=block.place.table,
                    code=FindingCode.UNPLACED_PARAGRAPH,
                )
            )
            continue
        seen_table = True
        rows = block.rows
        header = next((i for i, row in enumerate(rows[:3]) if is_measure_header(row)), None)
        scorecard = next((i for i, row in enumerate(rows[:3]) if len(_scorecard_keys(row)) >= 2), None)
        if scorecard is not None and (header is None or scorecard <= header):
            _scorecard_rows(block, scorecard, perspective, report)
            in_measures = False
            continue
        if header is not None or (in_measures and not section):
            measures.add(block)
            in_measures, section = True, None
            continue
        if _field_table(block, report):
            continue
        first = block.places[0]
        report.findings.append(
            Finding(
                "Die Tabelle gehört zu keinem Teil des Berichts (keine Maßnahmen, keine Scorecard, keine "
                f"Projektangaben; sie beginnt mit „{_short(' '.join(c or '' for c in rows[0]))}“). Sie wird nicht "
                "verwendet.",
                None,
                first.row,
                page=first.page,
                table=first.table,
                code=FindingCode.UNPLACED_TABLE,
            )
        )
    return _workbook(report, measures, kind)


def _short(text: str, length: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1] + "…"


def _field_table(table: Table, report: _Report) -> bool:
    """A table of Projektmanager, Projekttitel, …: a field's name in the first cell, its text in the next."""
    found = False
    for row, place in zip(table.rows, table.places, strict=True):
        filled = _filled(row)
        if len(filled) >= 2:
            named = _field_of(row[filled[0]] or "", tuple(_FIELD_NAMES))
            if named is not None and not named[1]:
                report.fields.setdefault(named[0], (row[filled[1]] or "", place))
                found = True
    return found


def _scorecard_rows(table: Table, header: int, perspective: list[str] | None, report: _Report) -> None:
    keys = _scorecard_keys(table.rows[header])
    name, question = perspective or ("", "")
    carried = {"goals": [], "actions": []}
    for row, place in zip(table.rows[header + 1 :], table.places[header + 1 :], strict=True):
        cells = {key: (row[j] or "") if j < len(row) else "" for key, j in keys.items()}
        if not any(cell.strip() for cell in cells.values()):
            continue
        for key in ("goals", "actions"):
            carried[key] = _items(cells.get(key, "")) or carried[key]
        for indicator in _items(cells.get("indicator", "")) or [""]:
            report.scorecard.append(
                ([name, question, "\n".join(carried["goals"]), "\n".join(carried["actions"]), indicator], place)
            )


def _workbook(report: _Report, measures: _Measures, kind: str) -> Workbook:
    sheets: list[Sheet] = []
    if measures.rows:
        sheets.append(Sheet(MEASURES_SHEET, list(measures.rows), list(measures.places)))
    cover = [text for text, _ in report.cover]
    if cover:
        sheets.append(Sheet(COVER_SHEET, [[line] for line in cover], [place for _, place in report.cover]))
    info: list[tuple[str, str, Place]] = []
    title = cover[0] if cover else ""
    document = next((m[1] for line in cover if (m := _DOCUMENT_KIND.match(line))), "")
    subtitle = [
        line
        for line in cover[1:]
        if not _DOCUMENT_KIND.match(line) and not re.match(r"(?i)^\s*(stand|stichtag)\b", line)
    ]
    if title:
        info.append((REPORT_FIELDS["title"], title, report.cover[0][1]))
    if subtitle:
        info.append((REPORT_FIELDS["subtitle"], " ".join(subtitle), report.cover[1][1]))
    if document:
        info.append((REPORT_FIELDS["document"], document[0].upper() + document[1:], report.cover[0][1]))
    for key, (text, place) in report.fields.items():
        info.append((REPORT_FIELDS[key], text, place))
    for key, paragraphs in report.sections.items():
        if paragraphs:
            info.append((REPORT_FIELDS[key], _section_text(key, paragraphs), paragraphs[0].place))
    if info:
        sheets.append(Sheet(REPORT_SHEET, [[label, text] for label, text, _ in info], [p for *_, p in info]))
    if report.scorecard:
        header = [SCORECARD_LABELS[key] for key in ("perspective", "question", "goals", "actions", "indicator")]
        places = [report.scorecard[0][1], *(place for _, place in report.scorecard)]
        sheets.append(Sheet(SCORECARD_SHEET, [header, *(row for row, _ in report.scorecard)], places))
    return Workbook(sheets, kind, document=True, findings=report.findings)
