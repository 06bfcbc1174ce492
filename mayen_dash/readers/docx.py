"""Word documents (.docx): paragraphs and tables in document order, through python-docx.

A merged cell is given once (the cells it covers as None), a cell's paragraphs as its
lines; a paragraph in a heading style, or all in bold, counts as a heading; a list
paragraph keeps its level. Word has no pages until it prints, so places are a table's
number and row, or a paragraph's number.
"""

from __future__ import annotations

import io
import logging
from typing import TYPE_CHECKING

from ..model import FindingCode, LoadError
from .base import ARCHIVE_ERRORS, MAX_CELLS, Format, Place, Workbook, broken_archive, open_archive
from .document import Block, Paragraph, Table, interpret

if TYPE_CHECKING:
    from docx.table import Table as WordTable
    from docx.text.paragraph import Paragraph as WordParagraph

log = logging.getLogger(__name__)

_LIST_STYLES = ("list bullet", "list number", "aufzählungszeichen", "listenabsatz", "list paragraph")


def _level(paragraph: WordParagraph) -> int:
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None:
        level = properties.numPr.ilvl
        return (level.val if level is not None else 0) + 1
    style = (paragraph.style.name if paragraph.style is not None else "").casefold()
    if style.startswith(_LIST_STYLES):
        digits = "".join(ch for ch in style if ch.isdigit())
        return int(digits) if digits else 1
    return 0


def _heading(paragraph: WordParagraph) -> bool:
    style = (paragraph.style.name if paragraph.style is not None else "").casefold()
    if style.startswith(("heading", "überschrift", "title", "titel")):
        return True
    runs = [run for run in paragraph.runs if run.text.strip()]
    return bool(runs) and all(run.bold for run in runs)


def _table(table: WordTable, number: int) -> Table:
    rows: list[list[str | None]] = []
    places: list[Place] = []
    cells = 0
    for i, row in enumerate(table.rows, start=1):
        texts: list[str | None] = []
        previous = None
        for cell in row.cells:
            cells += 1
            if cells > MAX_CELLS:
                raise LoadError(
                    "Das Word-Dokument hat zu viele Tabellenzellen, um es zu lesen.", code=FindingCode.TOO_MANY_CELLS
                )
            if previous is not None and cell._tc is previous:
                texts.append(None)
                continue
            previous = cell._tc
            texts.append("\n".join(p.text.strip() for p in cell.paragraphs if p.text.strip()))
        rows.append(texts)
        places.append(Place(None, number, i))
    return Table(rows, places)


def blocks(data: bytes) -> list[Block]:
    # Imported here: python-docx takes a tenth of a second to import, which every spreadsheet's load would pay.
    import docx  # noqa: PLC0415
    from docx.table import Table as WordTable  # noqa: PLC0415
    from docx.text.paragraph import Paragraph as WordParagraph  # noqa: PLC0415

    document = docx.Document(io.BytesIO(data))
    result: list[Block] = []
    tables = paragraphs = 0
    for element in document.element.body.iterchildren():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraphs += 1
            paragraph = WordParagraph(element, document)
            if paragraph.text.strip():
                result.append(
                    Paragraph(paragraph.text, Place(None, None, paragraphs), _heading(paragraph), _level(paragraph))
                )
        elif tag == "tbl":
            tables += 1
            result.append(_table(WordTable(element, document), tables))
    return result


def read(data: bytes, filename: str) -> Workbook:
    try:
        with open_archive(data):
            pass
        parts = blocks(data)
    except LoadError:
        raise
    except ARCHIVE_ERRORS as error:
        raise broken_archive("kein lesbares Word-Dokument") from error
    except Exception as error:  # python-docx has no error type of its own for a damaged document
        log.warning("python-docx cannot read a document", exc_info=True)
        raise LoadError(
            "Das Word-Dokument ist beschädigt und kann nicht gelesen werden. Bitte in Word öffnen, neu speichern "
            "und erneut hochladen.",
            code=FindingCode.DAMAGED_FILE,
        ) from error
    return interpret(parts, "docx")


FORMAT = Format("docx", "Word-Dokument (.docx)", (".docx",), read, document=True)
