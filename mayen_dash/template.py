"""The empty workbook the city fills in: data/vorlage.xlsx.

Built from the vocabulary, so the template's headers, its list of allowed
statuses and its explanations can never disagree with what the loader reads.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.datavalidation import DataValidation

from .vocabulary import (
    COLUMNS,
    ORGANISATION_LABELS,
    REPORT_FIELDS,
    SCORECARD_LABELS,
    STATUSES,
    UNKNOWN_STATUS,
)

TEMPLATE_ROWS = 500

_NOTES_INTRO = (
    "So füllen Sie die Vorlage aus",
    "Jede Zeile im Blatt „Maßnahmen“ ist eine Maßnahme. Pflicht sind nur „Maßnahme“ und „Status“; "
    "alle anderen Spalten dürfen leer bleiben. Die Reihenfolge der Spalten ist frei, die Kopfzeile "
    "muss aber erhalten bleiben.",
)
_NOTES_SHEETS = (
    (
        "Blatt „Scorecard“",
        "Eine Zeile je Messgröße der Balanced Scorecard. Einheit, Zielwert und "
        "Istwert nur eintragen, wenn es echte Zahlen gibt; das Dashboard zeigt nur eingetragene Werte.",
    ),
    (
        "Blatt „Bericht“",
        "Angaben zum Bericht: Titel, Stichtag (Datum, bis zu dem „überfällig“ "
        "gerechnet wird), Projektziel und die Texte zu Fortschritten, nächsten Schritten und Problemen.",
    ),
    (
        "Blatt „Organisation“",
        "Optional: welche Organisationseinheiten ein Text in „Verantwortlichkeit“ "
        "meint, mehrere getrennt durch „;“. Beispiel: „Bereich 3.2 und Klimaschutz/Umwelt“ → "
        "„Bereich 3.2; Klimaschutz/Umwelt“. Ohne Eintrag wird an „/“, „und“ und „in Zusammenarbeit "
        "mit“ getrennt.",
    ),
)


def _header(sheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def build_template() -> Workbook:
    """The template workbook: the four sheets of a report, empty, and a Hinweise sheet."""
    workbook = Workbook()
    measures = workbook.active
    measures.title = "Maßnahmen"
    _header(measures, [c.label for c in COLUMNS])
    for letter, column in zip("ABCDEFGH", COLUMNS, strict=True):
        measures.column_dimensions[letter].width = 45 if column.key in ("title", "remarks") else 18
    status_letter = "ABCDEFGH"[[c.key for c in COLUMNS].index("status")]
    target_letter = "ABCDEFGH"[[c.key for c in COLUMNS].index("target")]
    labels = ",".join(s.label for s in STATUSES if s.code != UNKNOWN_STATUS)
    choice = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True, showErrorMessage=False)
    choice.add(f"{status_letter}2:{status_letter}{TEMPLATE_ROWS + 1}")
    measures.add_data_validation(choice)
    for row in range(2, TEMPLATE_ROWS + 2):
        measures[f"{target_letter}{row}"].number_format = "@"

    _header(workbook.create_sheet("Scorecard"), list(SCORECARD_LABELS.values()))
    report = workbook.create_sheet("Bericht")
    _header(report, ["Feld", "Inhalt"])
    for label in REPORT_FIELDS.values():
        report.append([label, None])
    report["B5"].number_format = "DD.MM.YYYY"
    report.column_dimensions["A"].width = 40
    report.column_dimensions["B"].width = 100
    _header(workbook.create_sheet("Organisation"), list(ORGANISATION_LABELS.values()))

    notes = workbook.create_sheet("Hinweise")
    notes.column_dimensions["A"].width = 28
    notes.column_dimensions["B"].width = 100
    notes.append(list(_NOTES_INTRO))
    notes["A1"].font = Font(bold=True, size=14)
    notes.append([])
    notes.append(["Spalte", "Bedeutung"])
    for column in COLUMNS:
        spellings = ", ".join(column.synonyms[:6])
        notes.append([column.label, column.help + (f" Auch erkannt als: {spellings}." if spellings else "")])
    notes.append([])
    notes.append(["Status", "Auch so geschrieben (wird gleich behandelt)"])
    for status in STATUSES:
        if status.code != UNKNOWN_STATUS:
            notes.append([status.label, ", ".join(status.synonyms)])
    notes.append(["(anderes)", "Jeder andere Eintrag wird als „unbekannt“ geführt und beim Hochladen gemeldet."])
    notes.append([])
    for title, text in _NOTES_SHEETS:
        notes.append([title, text])
    for row in notes.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        if row[0].value in ("Spalte", "Status") or str(row[0].value).startswith("Blatt"):
            row[0].font = Font(bold=True)
    return workbook


def write_template(path: Path) -> None:
    build_template().save(path)
