"""Find the tables in a workbook, whatever layout the city used.

Two layouts are read: the flat list (one header row, one measure a row) and
the printed report pasted into Excel, where a lone cell above a header names a
Handlungsfeld, a lone cell under it names a Zielgruppe and the header repeats
for every field. Headers are matched through the vocabulary, so typos such as
"Staus" or "Zeitrah men" are understood.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from .formatting import format_count
from .model import ColumnMapping, Finding, FindingCode, LoadError, location_text
from .normalize import dates_in_title, parse_target, parse_units_cell, responsibility_key, visible
from .readers import Cell, Sheet
from .vocabulary import (
    COLUMN_BY_KEY,
    COLUMNS,
    ORGANISATION_COLUMNS,
    REPORT_FIELD_SYNONYMS,
    REPORT_FIELDS,
    SCORECARD_COLUMNS,
    fold,
    match_column,
    match_label,
    sheet_role,
)

# How far down a sheet the first header row may stand (title rows above it), and how far right
# its columns may stand: headers are looked for in the first 100 rows and 500 columns only.
HEADER_SEARCH_ROWS = 100
HEADER_SEARCH_COLUMNS = 500
# A close spelling costs about 0.1 ms a text; one search for a header compares at most this many
# distinct texts so, then only exact names count (a sheet of 100 x 10,000 junk cells took 95 s).
FUZZY_HEADER_TEXTS = 1_000
# Headers named in a refusal, at most.
NAMED_COLUMNS = 20


def blank(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def cell_text(cell: Cell) -> str:
    """A cell as the user reads it in Excel: dates German, whole numbers without ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, str):
        cell = visible(cell)
        if "  " in cell or "\t" in cell or "\u00a0" in cell:
            cell = re.sub(r"[ \t\u00a0]+", " ", cell)
        return cell.strip()
    if isinstance(cell, bool):
        return "WAHR" if cell else "FALSCH"
    if isinstance(cell, float):
        return str(int(cell)) if cell.is_integer() else f"{cell:g}".replace(".", ",")
    if isinstance(cell, dt.datetime):
        return cell.strftime("%d.%m.%Y") if cell.time() == dt.time() else cell.strftime("%d.%m.%Y %H:%M")
    if isinstance(cell, dt.date):
        return cell.strftime("%d.%m.%Y")
    return str(cell)


def long_text(cell: Cell) -> str:
    """A multi-line cell with its line breaks and indentation kept."""
    if not isinstance(cell, str):
        return cell_text(cell)
    lines = [line.rstrip() for line in visible(cell).replace("\u00a0", " ").strip("\n").splitlines()]
    return "\n".join(lines).strip()


@dataclass
class MeasureTable:
    """The measure rows of one sheet, column by column, with where each came from.

    `indices` are the rows' indices in `source`; `rows` their numbers as the file shows them
    (Excel's row, or a document table's row), `sheet` the sheet's name.
    """

    sheet: str
    headers: dict[str, str]
    values: dict[str, list[Cell]]
    sections: list[tuple[str | None, str | None]]
    rows: list[int]
    findings: list[Finding] = field(default_factory=list)
    source: Sheet | None = None
    indices: list[int] = field(default_factory=list)

    def where(self, position: int, key: str) -> dict[str, object]:
        """Finding arguments for the measure at `position` and the column `key`."""
        located = self.source.where(self.indices[position]) if self.source else {"sheet": self.sheet}
        return located | {"row": self.rows[position], "column": self.headers.get(key, COLUMN_BY_KEY[key].label)}

    def origins(self) -> str | list[str]:
        """The measures' `sheet` field: the sheet's name, or each row's page and table in a document."""
        if self.source is None or self.source.places is None:
            return self.sheet
        return [self.source.origin(i)[0] for i in self.indices]


class _HeaderKeys:
    """Which column key each header cell of a row names, first occurrence winning.

    Close spellings are tried for the first FUZZY_HEADER_TEXTS distinct texts this object
    sees, exact names always; only the first HEADER_SEARCH_COLUMNS cells of a row count.
    """

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.mapped = {fold(text): key for key, text in mapping.columns.items() if text}
        self.known: dict[str, str | None] = {}

    def _key(self, cell: str) -> str | None:
        folded = fold(cell)
        if folded in self.known:
            return self.known[folded]
        key = self.mapped.get(folded)
        if key is None:
            key = match_column(cell, fuzzy=len(self.known) < FUZZY_HEADER_TEXTS)
            if key in self.mapping.columns:
                key = None
        if len(self.known) < FUZZY_HEADER_TEXTS:
            self.known[folded] = key
        return key

    def __call__(self, row: list[Cell]) -> dict[str, int]:
        keys: dict[str, int] = {}
        for j, cell in enumerate(row[:HEADER_SEARCH_COLUMNS]):
            if not isinstance(cell, str) or not cell.strip():
                continue
            key = self._key(cell)
            if key and key not in keys:
                keys[key] = j
        return keys


def _is_table_header(keys: dict[str, int]) -> bool:
    return ("title" in keys and "status" in keys) or len(keys) >= 3


def _filled(row: list[Cell]) -> list[int]:
    return [j for j, cell in enumerate(row) if not blank(cell)]


def _found_columns(sheet: Sheet) -> list[str]:
    """The headers a sheet seems to have, to tell the user what we saw."""
    for row in sheet.rows[:HEADER_SEARCH_ROWS]:
        texts = [cell_text(c) for c in row[:HEADER_SEARCH_COLUMNS] if not blank(c)]
        if len(texts) >= 2:
            return texts
    return []


def _named(texts: list[str]) -> str:
    """Headers for a message: „A“, „B“, … and how many more."""
    named = ", ".join(f"„{t}“" for t in texts[:NAMED_COLUMNS])
    more = len(texts) - NAMED_COLUMNS
    return named + (f" und {format_count(more)} weitere" if more > 0 else "")


def first_header(
    sheet: Sheet, mapping: ColumnMapping, header_keys: _HeaderKeys | None = None
) -> tuple[int, dict[str, int]] | None:
    header_keys = header_keys or _HeaderKeys(mapping)
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = header_keys(row)
        if _is_table_header(keys):
            return i, keys
    return None


def _candidates(sheets: list[Sheet]) -> list[Sheet]:
    named = [s for s in sheets if sheet_role(s.name) == "measures"]
    others = [s for s in sheets if sheet_role(s.name) is None]
    return named + others or sheets


def find_measure_table(sheets: list[Sheet], mapping: ColumnMapping | None = None) -> MeasureTable:
    """The measure table of a workbook, or a refusal that says which columns were found."""
    mapping = mapping or ColumnMapping()
    candidates = _candidates(sheets)
    header_keys = _HeaderKeys(mapping)
    for sheet in candidates:
        found = first_header(sheet, mapping, header_keys)
        if found is None:
            continue
        header_row, keys = found
        missing = [COLUMN_BY_KEY[k].label for k in ("title", "status") if k not in keys]
        if missing:
            header = sheet.rows[header_row][:HEADER_SEARCH_COLUMNS]
            seen = _named([cell_text(header[j]) for j in _filled(header)])
            raise LoadError(
                f"Die Spalte{'n' if len(missing) > 1 else ''} {' und '.join(f'„{m}“' for m in missing)} "
                f"wurde{'n' if len(missing) > 1 else ''} nicht gefunden. Gefundene Spalten: {seen}. "
                "Bitte die Spalten benennen oder beim Hochladen zuordnen.",
                code=FindingCode.MISSING_COLUMNS,
                columns_missing=True,
                **sheet.where(header_row),
            )
        return _read_blocks(sheet, header_row, keys, mapping)
    sheet = candidates[0] if candidates else None
    seen = _named(_found_columns(sheet)) if sheet else ""
    if sheet is None or not any(_filled(r) for r in sheet.rows):
        raise LoadError(
            "Die Datei enthält keine Daten." if sheet is None or sheet.places is None else
            "Im Dokument wurde keine Tabelle mit Maßnahmen gefunden.",
            code=FindingCode.NO_DATA if sheet is None or sheet.places is None else FindingCode.NO_MEASURE_TABLE,
            sheet=sheet.name if sheet and sheet.places is None else None,
        )
    raise LoadError(
        "Die Spalten „Maßnahme“ und „Status“ wurden nicht gefunden. "
        + (f"Gefundene Spalten: {seen}. " if seen else "")
        + "Bitte die Spalten benennen oder beim Hochladen zuordnen.",
        code=FindingCode.MISSING_COLUMNS,
        sheet=sheet.name,
        columns_missing=bool(seen),
    )


class RepeatedHeader:
    """Recognises a row that repeats the table header (the printed layout repeats it per field).

    A repeated header has some header word under the current Status column (so it is found
    even when its columns moved) and reads as a header as a whole. Looking at that one cell
    first keeps the scan of 100,000 data rows cheap: status cells repeat a handful of values.
    """

    def __init__(self, mapping: ColumnMapping) -> None:
        self.mapping = mapping
        self.words = {fold(name) for column in COLUMNS for name in (column.label, *column.synonyms)} | {
            fold(header) for header in mapping.columns.values()
        }
        self.header_keys = _HeaderKeys(mapping)

    def __call__(self, row: list[Cell], keys: dict[str, int]) -> dict[str, int] | None:
        """The column keys of `row` if it repeats the header, else None."""
        j = keys["status"]
        cell = row[j] if j < len(row) else None
        if not (isinstance(cell, str) and fold(cell) in self.words):
            return None
        found = self.header_keys(row)
        return found if _is_table_header(found) else None


def _section_before(sheet: Sheet, header_row: int) -> str | None:
    """The lone cell right above the first header names the first Handlungsfeld."""
    for row in reversed(sheet.rows[:header_row]):
        filled = _filled(row)
        if filled:
            return cell_text(row[filled[0]]) if len(filled) == 1 else None
    return None


def _read_blocks(sheet: Sheet, header_row: int, keys: dict[str, int], mapping: ColumnMapping) -> MeasureTable:
    rows = sheet.rows
    header = rows[header_row]
    table = MeasureTable(
        sheet=sheet.name,
        headers={k: cell_text(header[j]) for k, j in keys.items()},
        values={c.key: [] for c in COLUMNS},
        sections=[],
        rows=[],
    )
    area = _section_before(sheet, header_row)
    group: str | None = None
    first_column = min(keys.values())

    repeated_header = RepeatedHeader(mapping)

    def header_at(i: int) -> dict[str, int] | None:
        return repeated_header(rows[i], keys)

    def next_filled(i: int) -> int | None:
        for k in range(i + 1, len(rows)):
            if _filled(rows[k]):
                return k
        return None

    # Data rows are collected per header block (a repeated header may order columns differently)
    # and turned into columns at the end: one pass over 100,000 rows, no per-row dicts; a row's
    # filled cells are counted in C (list.count) and listed only for the few rows that need them.
    blocks: list[tuple[dict[str, int], list[int]]] = [(keys, [])]
    indices = blocks[-1][1]
    for i in range(header_row + 1, len(rows)):
        row = rows[i]
        filled: list[int] | None = None
        if len(row) - row.count("") - row.count(None) <= 1:
            filled = [j for j, cell in enumerate(row) if cell != "" and cell is not None]
            if not filled or blank(row[filled[0]]):
                continue
            if filled[0] == first_column and filled[0] != keys.get("status"):
                text = cell_text(row[filled[0]])
                following = next_filled(i)
                if following is not None and header_at(following) is not None:
                    area, group = text, None
                else:
                    group = text
                continue
        repeated = header_at(i)
        if repeated is not None:
            keys = repeated
            blocks.append((keys, []))
            indices = blocks[-1][1]
            continue
        title_column = keys["title"]
        if title_column >= len(row) or blank(row[title_column]):
            if filled is None:
                filled = [j for j, cell in enumerate(row) if cell != "" and cell is not None]
            if any(not blank(row[j]) for j in filled):
                table.findings.append(
                    Finding(
                        "Zeile ohne Eintrag in „Maßnahme“; sie wurde übersprungen.",
                        code=FindingCode.ROW_WITHOUT_TITLE,
                        column=table.headers.get("title", "Maßnahme"),
                        **sheet.where(i),
                    )
                )
            continue
        indices.append(i)
        table.sections.append((area, group))
    for block_keys, block_indices in blocks:
        block_rows = [rows[i] for i in block_indices]
        width = min(map(len, block_rows), default=0)
        for key, values in table.values.items():
            j = block_keys.get(key)
            if j is None:
                values.extend([None] * len(block_rows))
            elif j < width:
                values.extend(map(itemgetter(j), block_rows))
            else:
                values.extend([row[j] if j < len(row) else None for row in block_rows])
    table.indices = [i for _, indices in blocks for i in indices]
    table.source = sheet
    if sheet.places is None:
        table.rows = [i + 1 for i in table.indices]
    else:
        table.rows = [sheet.places[i].row for i in table.indices]
    if not table.rows:
        raise LoadError(
            "Die Tabelle hat eine Kopfzeile, aber keine Datenzeilen mit einer Maßnahme.",
            code=FindingCode.NO_DATA_ROWS,
            **sheet.where(header_row),
        )
    return table


def _keyed_header(sheet: Sheet, columns: dict[str, tuple[str, ...]], minimum: int) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys: dict[str, int] = {}
        for j, cell in enumerate(row):
            for key, names in columns.items():
                if key not in keys and match_label(cell, names):
                    keys[key] = j
        if len(keys) >= minimum:
            return i, keys
    return None


def _side_tables(
    sheets: list[Sheet], role: str, columns: dict[str, tuple[str, ...]]
) -> Iterator[tuple[Sheet, int, dict[str, int]]]:
    """Each sheet of `role` (Organisation, Scorecard) with its header row and the columns found in it."""
    for sheet in sheets:
        if sheet_role(sheet.name) == role and (found := _keyed_header(sheet, columns, 2)) is not None:
            yield sheet, *found


def read_organisation(sheets: list[Sheet]) -> dict[str, tuple[str, ...]]:
    """The Organisation sheet's mapping from Verantwortlichkeit text to units."""
    mapping: dict[str, tuple[str, ...]] = {}
    for sheet, header_row, keys in _side_tables(sheets, "organisation", ORGANISATION_COLUMNS):
        for row in sheet.rows[header_row + 1 :]:
            raw = row[keys["responsible"]] if keys["responsible"] < len(row) else None
            units = row[keys["units"]] if keys["units"] < len(row) else None
            if not blank(raw) and not blank(units):
                mapping[responsibility_key(cell_text(raw))] = parse_units_cell(cell_text(units))
    return mapping


def report_key(label: Cell) -> str | None:
    """The Bericht sheet's field ("report_date", "progress", …) a row label names, by its label or a synonym."""
    for key, name in REPORT_FIELDS.items():
        if match_label(label, (name, *REPORT_FIELD_SYNONYMS.get(key, ()))):
            return key
    return None


def read_report_info(sheets: list[Sheet]) -> tuple[dict[str, str], dt.date | None, list[Finding]]:
    """The Bericht sheet: a label in the first column, its text in the second."""
    info: dict[str, str] = {}
    report_date: dt.date | None = None
    findings: list[Finding] = []
    for sheet in sheets:
        if sheet_role(sheet.name) != "report":
            continue
        for i, row in enumerate(sheet.rows):
            filled = _filled(row)
            if len(filled) < 2:
                continue
            key = report_key(row[filled[0]])
            value = row[filled[1]]
            if key == "report_date":
                period = parse_target(value)
                if period is None or period.due is None:
                    findings.append(
                        Finding(
                            f"Der Stichtag „{cell_text(value)}“ ist kein lesbares Datum.",
                            code=FindingCode.BAD_REPORT_DATE,
                            column=cell_text(row[filled[0]]),
                            **sheet.where(i),
                        )
                    )
                else:
                    report_date = period.due
            elif key:
                info[key] = long_text(value)
    return info, report_date, findings


def parse_number(cell: Cell) -> float | None:
    """A figure as Germans write it: "1.234,5", "55 %", or a number cell."""
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = cell_text(cell).replace("%", "").replace("€", "").replace(" ", "")
    if re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?|-?\d+(,\d+)?", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"-?\d+\.\d+", text):
        return float(text)
    return None


def read_scorecard(sheets: list[Sheet]) -> tuple[list[dict[str, object]], list[Finding]]:
    """Scorecard rows, one per Messgröße, with the perspective's texts carried down."""
    records: list[dict[str, object]] = []
    findings: list[Finding] = []
    for sheet, header_row, keys in _side_tables(sheets, "scorecard", SCORECARD_COLUMNS):
        header = sheet.rows[header_row]
        carried: dict[str, str] = {}
        for i, row in enumerate(sheet.rows[header_row + 1 :], start=header_row + 2):
            cells = {k: (row[j] if j < len(row) else None) for k, j in keys.items()}
            if all(blank(c) for c in cells.values()):
                continue
            if not blank(cells.get("perspective")) and cell_text(cells["perspective"]) != carried.get("perspective"):
                carried = {}
            record: dict[str, object] = {"row": i}
            for key in ("perspective", "question", "goals", "actions"):
                text = long_text(cells.get(key))
                if text:
                    carried[key] = text
                record[key] = carried.get(key, "")
            for key in ("indicator", "unit"):
                record[key] = cell_text(cells.get(key))
            for key in ("target_value", "actual_value"):
                cell = cells.get(key)
                value = None if blank(cell) else parse_number(cell)
                if not blank(cell) and value is None:
                    findings.append(
                        Finding(
                            f"„{cell_text(cell)}“ ist keine Zahl; der Wert wird nicht verwendet.",
                            code=FindingCode.NOT_A_NUMBER,
                            column=cell_text(header[keys[key]]),
                            **sheet.where(i - 1),
                        )
                    )
                record[key] = value
            records.append(record)
    return records, findings


@dataclass
class ColumnPreview:
    """A table's headers and a sample of each column's values, for mapping columns by hand."""

    sheet: str
    headers: list[str]
    samples: dict[str, list[str]]


def preview_columns(sheets: list[Sheet], limit: int = 50) -> ColumnPreview | None:
    """The first row with two or more cells, taken as headers, and up to `limit` distinct values per column."""
    for sheet in _candidates(sheets):
        for i, row in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
            filled = _filled(row[:HEADER_SEARCH_COLUMNS])
            if len(filled) < 2:
                continue
            headers = [cell_text(row[j]) for j in filled]
            samples: dict[str, list[str]] = {}
            for j, header in zip(filled, headers, strict=True):
                values: dict[str, None] = {}
                for other in sheet.rows[i + 1 :]:
                    if j < len(other) and not blank(other[j]):
                        values.setdefault(cell_text(other[j]))
                        if len(values) >= limit:
                            break
                samples[header] = list(values)
            return ColumnPreview(sheet.name, headers, samples)
    return None


@dataclass
class TitleDates:
    """The Stichtag a title block names (with where), and other dates it or the sheets' titles suggest."""

    date: dt.date | None = None
    source: str = ""
    suggestions: list[tuple[dt.date, str]] = field(default_factory=list)


# Lines of a sheet's title block looked at for a Stichtag: those above its table, at most this many.
TITLE_ROWS = 30


def read_title_dates(sheets: list[Sheet], mapping: ColumnMapping | None = None) -> TitleDates:
    """A Stichtag in the lines above a table, in any sheet but the Bericht sheet: "Stand: 30.09.2024" and the like."""
    found = TitleDates()
    header_keys = _HeaderKeys(mapping or ColumnMapping())
    for sheet in sheets:
        if sheet_role(sheet.name) in ("report", "scorecard", "organisation"):
            continue
        header = first_header(sheet, mapping or ColumnMapping(), header_keys)
        end = min(header[0] if header else TITLE_ROWS, TITLE_ROWS)
        for i, row in enumerate(sheet.rows[:end]):
            for cell in row[:HEADER_SEARCH_COLUMNS]:
                if not isinstance(cell, str) or not cell.strip():
                    continue
                date, others = dates_in_title(cell)
                where = location_text(**sheet.where(i))
                text = cell_text(cell)
                if date and found.date is None:
                    found.date, found.source = date, f"Titelzeile „{text}“ ({where})"
                found.suggestions.extend((other, f"„{text}“ ({where})") for other in others)
    return found
