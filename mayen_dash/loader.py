"""Load a status report from a path or uploaded bytes into a `Report`.

The loader reads (reading), finds the tables (tables), interprets every cell
(normalize, vocabulary) and collects findings. It either returns a complete
report or raises `LoadError`; it never returns half a report, so a caller
that keeps the previous report on error never shows broken data.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .formatting import format_count_noun
from .model import (
    NO_AREA,
    ColumnMapping,
    Finding,
    FindingCode,
    LoadError,
    Report,
    area_categories,
    empty_info,
    refusals_in_german,
)
from .normalize import (
    READABLE_TARGETS_TEXT,
    Period,
    parse_target,
    report_date_from_filename,
    responsibility_key,
    split_units,
    year_from_filename,
)
from .readers import Cell, Workbook, read_sheets, read_workbook
from .readers.document import MEASURES_SHEET
from .tables import (
    ColumnPreview,
    MeasureTable,
    blank,
    cell_text,
    find_measure_table,
    preview_columns,
    read_organisation,
    read_report_info,
    read_scorecard,
    read_title_dates,
)
from .vocabulary import (
    ASSIGNABLE_STATUSES,
    STATUS_CODES,
    STATUS_LABELS,
    UNKNOWN_STATUS,
    fold,
    match_status,
)

log = logging.getLogger(__name__)

_UNREADABLE = Finding(
    "Die Datei konnte nicht gelesen werden. Bitte in Excel öffnen, als .xlsx speichern und erneut hochladen; "
    "hilft das nicht, die Datei dem Sachgebiet E-Government schicken.",
    code=FindingCode.UNREADABLE,
)

# Findings of one kind listed one by one before they are summed up in a line.
FINDINGS_PER_KIND = 100

SCORECARD_FIELDS = (
    "perspective",
    "question",
    "goals",
    "actions",
    "indicator",
    "unit",
    "target_value",
    "actual_value",
    "row",
)


class _Findings:
    """Collects findings, listing the first hundred of each kind and counting the rest."""

    def __init__(self) -> None:
        self.items: list[Finding] = []
        self.counts: Counter[str] = Counter()
        self.samples: dict[str, Finding] = {}

    def add(self, kind: str, finding: Finding) -> None:
        self.counts[kind] += 1
        if self.counts[kind] <= FINDINGS_PER_KIND:
            self.items.append(finding)
        self.samples.setdefault(kind, finding)

    def extend(self, findings: list[Finding]) -> None:
        self.items.extend(findings)

    def result(self) -> list[Finding]:
        summary = [
            Finding(
                f"… und {format_count_noun(count - FINDINGS_PER_KIND, 'weitere Zeile', 'weitere Zeilen')} mit "
                f"demselben Hinweis ({self.samples[kind].message})",
                self.samples[kind].sheet,
                None,
                self.samples[kind].column,
                code=self.samples[kind].code,
            )
            for kind, count in self.counts.items()
            if count > FINDINGS_PER_KIND
        ]
        return self.items + summary


def _texts(cells: list[Cell]) -> list[str]:
    """Display texts of a column, converting each distinct cell once.

    True equals 1 and 1.0 in a set, but reads WAHR: a column holding a bool is converted cell by cell.
    """
    if bool in set(map(type, cells)):
        return [cell_text(c) for c in cells]
    texts = {c: cell_text(c) for c in set(cells)}
    return list(map(texts.__getitem__, cells))


def _statuses(table: MeasureTable, raw: list[str], mapping: ColumnMapping, findings: _Findings) -> list[str]:
    chosen = {fold(k): v for k, v in mapping.status_values.items()}
    codes_by_raw = {value: chosen.get(fold(value)) or match_status(value) for value in set(raw)}
    codes = list(map(codes_by_raw.__getitem__, raw))
    if UNKNOWN_STATUS not in codes_by_raw.values():
        return codes
    allowed = ", ".join(STATUS_LABELS[code] for code in ASSIGNABLE_STATUSES)
    for position, (value, code) in enumerate(zip(raw, codes, strict=True)):
        if code != UNKNOWN_STATUS:
            continue
        if value:
            findings.add(
                "status:" + value,
                Finding(
                    f"Unbekannter Status „{value}“; die Zeile wird als „unbekannt“ geführt. Erlaubt sind: {allowed}.",
                    code=FindingCode.UNKNOWN_STATUS,
                    **table.where(position, "status"),
                ),
            )
        else:
            findings.add(
                "status:",
                Finding(
                    "Kein Status eingetragen; die Zeile wird als „unbekannt“ geführt.",
                    code=FindingCode.MISSING_STATUS,
                    **table.where(position, "status"),
                ),
            )
    return codes


def _periods(table: MeasureTable, findings: _Findings) -> list[Period]:
    # Keyed by type as well: True == 1, but a bool is no year.
    keys = list(zip(map(type, table.values["target"]), table.values["target"], strict=True))
    parsed = {key: parse_target(None if blank(key[1]) else key[1]) for key in set(keys)}
    periods = list(map(parsed.__getitem__, keys))
    if None not in parsed.values():
        return periods
    for position, (period, (_, cell)) in enumerate(zip(periods, keys, strict=True)):
        if period is None:
            findings.add(
                "target",
                Finding(
                    f"Das Zieldatum „{cell_text(cell)}“ ist nicht lesbar; die Maßnahme hat kein Fälligkeitsdatum. "
                    f"Lesbar sind z. B. {READABLE_TARGETS_TEXT}.",
                    code=FindingCode.BAD_TARGET_DATE,
                    **table.where(position, "target"),
                ),
            )
            periods[position] = Period()
    return periods


def _duplicate_ids(table: MeasureTable, ids: list[str], findings: _Findings) -> None:
    distinct = set(ids)
    if len(ids) - ids.count("") == len(distinct) - ("" in distinct):
        return
    seen: dict[str, int] = {}
    for position, (identifier, row) in enumerate(zip(ids, table.rows, strict=True)):
        if identifier and identifier in seen:
            findings.add(
                "id",
                Finding(
                    f"Die ID „{identifier}“ steht schon in Zeile {seen[identifier]}.",
                    code=FindingCode.DUPLICATE_ID,
                    **table.where(position, "id"),
                ),
            )
        seen.setdefault(identifier, row)


_EPOCH = dt.date(1970, 1, 1)
_NAT = np.iinfo(np.int64).min


def _dates(values: list[dt.date | None]) -> np.ndarray:
    """A datetime64 column from dates, converting each distinct date once."""
    days = {d: (d - _EPOCH).days for d in set(values) if d is not None}
    ordinals = np.fromiter((days.get(d, _NAT) for d in values), dtype=np.int64, count=len(values))
    return ordinals.view("datetime64[D]").astype("datetime64[s]")


def _measures(
    table: MeasureTable, organisation: dict[str, tuple[str, ...]], mapping: ColumnMapping, findings: _Findings
) -> pd.DataFrame:
    text = {
        key: _texts(table.values[key]) for key in ("id", "area", "group", "title", "status", "responsible", "remarks")
    }
    areas = [a or (section[0] or NO_AREA) for a, section in zip(text["area"], table.sections, strict=True)]
    groups = [g or (section[1] or "") for g, section in zip(text["group"], table.sections, strict=True)]
    codes = _statuses(table, text["status"], mapping, findings)
    periods = _periods(table, findings)
    units_by_text = {r: split_units(r, organisation) for r in set(text["responsible"])}

    _duplicate_ids(table, text["id"], findings)

    return pd.DataFrame(
        {
            "id": text["id"],
            "area": pd.Categorical(areas, categories=area_categories(areas)),
            "group": groups,
            "title": text["title"],
            "status": pd.Categorical(codes, categories=STATUS_CODES),
            "status_raw": text["status"],
            "responsible": text["responsible"],
            "units": pd.Series(list(map(units_by_text.__getitem__, text["responsible"])), dtype=object),
            "target": _texts(table.values["target"]),
            "start": _dates([p.start for p in periods]),
            "due": _dates([p.due for p in periods]),
            "ongoing": [p.ongoing for p in periods],
            "remarks": text["remarks"],
            "sheet": table.origins(),
            "row": table.rows,
        }
    )


def _bytes_and_name(source: bytes | str | Path, filename: str | None) -> tuple[bytes, str]:
    if isinstance(source, str | Path):
        path = Path(source)
        return path.read_bytes(), filename or path.name
    return bytes(source), filename or ""


def preview(source: bytes | str | Path, filename: str | None = None) -> ColumnPreview | None:
    """Headers and sample values of a file's table, for the user to say which column is which."""
    data, filename = _bytes_and_name(source, filename)
    return preview_columns(read_sheets(data, filename))


# The name under which pasted report text is stored as a file (it has none of its own).
PASTED_NAME = "eingefügter_Bericht.txt"


def load_pasted(text: str, mapping: ColumnMapping | None = None) -> Report:
    """Report text pasted into the page, loaded like the .txt file it is stored as (PASTED_NAME)."""
    return load_report(text.encode("utf-8"), PASTED_NAME, mapping)


def load_report(
    source: bytes | str | Path, filename: str | None = None, mapping: ColumnMapping | None = None
) -> Report:
    """Read any file the dashboard reads (readers.FORMATS) into a Report, or raise LoadError in German.

    Whatever else goes wrong inside is logged for the developers and reaches the
    user as a refusal too: a file must never surface as a traceback.
    """
    data, filename = _bytes_and_name(source, filename)
    with (
        refusals_in_german(log, f"loading {filename!r}", "Die Datei ist zu groß, um sie zu verarbeiten.", _UNREADABLE),
        _no_cycle_collection(),
    ):
        return _load(data, filename, mapping or ColumnMapping())


@contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused while a file is loaded, as it was before afterwards.

    A load allocates millions of lists and strings (a list per row from calamine, a text per cell)
    and no cycles; every few hundred allocations the collector would walk them all again: an eighth
    of the load's CPU time at 100,000 rows (3.1 s against 2.7 s). Reference counting still frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _report_date(
    workbook: Workbook, filename: str, from_sheet: dt.date | None, mapping: ColumnMapping
) -> tuple[dt.date | None, str, tuple[tuple[dt.date, str], ...]]:
    """The Stichtag, where it was found, and what else might be it: Bericht sheet, title block, file name.

    Nothing is guessed: without any of the three the Stichtag stays None, and the dates the
    title block or the file name mention without calling them the Stichtag are suggestions.
    """
    title = read_title_dates(workbook.sheets, mapping)
    from_name = report_date_from_filename(filename)
    suggestions = dict(title.suggestions)
    # The "2022" of "status_2022-08" is no year of its own.
    if from_name is None and (year := year_from_filename(filename)) is not None:
        suggestions.setdefault(year, f"Jahr im Dateinamen „{filename}“")
    if from_sheet is not None:
        date, source = from_sheet, "Stichtag im Blatt „Bericht“"
    elif title.date is not None:
        date, source = title.date, title.source
    elif from_name is not None:
        date, source = from_name, f"Dateiname „{filename}“"
    else:
        date, source = None, ""
    suggestions.pop(date, None)
    return date, source, tuple(sorted(suggestions.items(), reverse=True))


def _load(data: bytes, filename: str, mapping: ColumnMapping) -> Report:
    workbook = read_workbook(data, filename)
    sheets = workbook.sheets
    if workbook.document and not any(sheet.name == MEASURES_SHEET for sheet in sheets):
        raise LoadError(
            "Im Dokument wurde keine Tabelle mit Maßnahmen gefunden (eine Tabelle mit den Spalten „Maßnahme“ und "
            "„Status“). Bitte den Statusbericht mit seinen Maßnahmentabellen oder die Excel-Tabelle hochladen.",
            code=FindingCode.NO_MEASURE_TABLE,
        )
    table = find_measure_table(sheets, mapping)
    findings = _Findings()
    findings.extend(workbook.findings)
    findings.extend(table.findings)
    organisation = read_organisation(sheets)
    measures = _measures(table, organisation, mapping, findings)
    info, from_sheet, info_findings = read_report_info(sheets)
    findings.extend(info_findings)
    records, scorecard_findings = read_scorecard(sheets)
    findings.extend(scorecard_findings)
    report_date, source, suggestions = _report_date(workbook, filename, from_sheet, mapping)

    return Report(
        measures=measures,
        scorecard=pd.DataFrame(records, columns=list(SCORECARD_FIELDS)),
        info={**empty_info(), **info},
        report_date=report_date,
        findings=findings.result(),
        source_name=filename,
        sha256=hashlib.sha256(data).hexdigest(),
        organised=_decided(measures, organisation),
        report_date_source=source,
        date_suggestions=suggestions,
        kind=workbook.kind,
        document=workbook.document,
    )


def _decided(measures: pd.DataFrame, organisation: dict[str, tuple[str, ...]]) -> frozenset[str]:
    """The Verantwortlichkeit texts whose units the Organisation sheet gives otherwise than the text reads.

    Those are the sheet's decisions ("Klimaschutz/Umwelt" is one unit), which a merge of unit names
    must not undo; a sheet row that only repeats what the text says decides nothing.
    """
    if not organisation:
        return frozenset()
    decided = set()
    for text in set(measures["responsible"]):
        key = responsibility_key(text)
        if key in organisation and organisation[key] != split_units(text):
            decided.add(key)
    return frozenset(decided)
