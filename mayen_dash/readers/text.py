"""Report text: copied out of the PDF (tab-separated table rows between lines of prose), pasted or as .txt.

Each line with a tab is a table row, consecutive ones a table; a blank line between
rows is where a page ended, so that a row the page break cut goes on in the next one.
Every other line is a paragraph ("- " starts a list item, " - " one a level deeper).
"""

from __future__ import annotations

import re
from pathlib import PurePath

from .base import Format, Place, Workbook
from .delimited import decode, delimiter
from .document import Block, Paragraph, Table, interpret

_ITEM = re.compile(r"^(\s*)[-–•]\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def is_report_text(data: bytes, filename: str) -> bool:
    """Whether a text file is report text (else it is read as CSV): a .txt or nameless text without a table's
    delimiter, or tab-separated rows between lines of prose.

    Tab-separated lines alone are a table (Excel's "Unicode-Text" export, a .txt), read as CSV.
    """
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".csv", ".tsv"):
        return False
    text = decode(data[:65536])
    separator = delimiter(text)
    if separator == "\t":
        return any(line.strip() and "\t" not in line for line in text.splitlines())
    return separator not in (";", ",") and suffix in ("", ".txt")


def blocks(text: str) -> list[Block]:
    result: list[Block] = []
    table: Table | None = None
    blank = False
    for number, line in enumerate(text.splitlines(), start=1):
        place = Place(None, None, number)
        if "\t" in line:
            cells: list[str | None] = [cell.strip() for cell in line.split("\t")]
            if table is None:
                table = Table([], [])
                result.append(table)
            elif blank:
                table.breaks.add(len(table.rows))
            table.rows.append(cells)
            table.places.append(place)
            blank = False
            continue
        if not line.strip():
            blank = True
            continue
        table, blank = None, False
        whole_bold = bool(_BOLD.fullmatch(line.strip()))
        content = _BOLD.sub(r"\1", line)
        item = _ITEM.match(content)
        if item:
            result.append(Paragraph(item[2].strip(), place, level=2 if item[1] else 1))
        else:
            result.append(Paragraph(content.strip(), place, heading=whole_bold))
    return result


def read(data: bytes, filename: str) -> Workbook:
    return interpret(blocks(decode(data)), "txt")


FORMAT = Format("txt", "Text (.txt)", (".txt",), read, document=True)
