"""PDF documents: the status report as printed from Word, read through pdfplumber.

Ruled tables are found by their lines; each word goes into the cell it stands in, and
a cell's lines are joined the way the printer broke them: a line that ends short of
the cell's edge ended a paragraph, a full line was wrapped (a word broken inside a
narrow cell, "Zentralberei" + "ch 1", is joined without a space). A table at the top
of a page with the columns of the one that ended the page before goes on with it.
Lines that repeat at the top or bottom of the pages (headers, footers, page numbers)
are left out. Bounded before parsing (size, pages, the unpacked size of the streams)
and while parsing (time, characters per page).
"""

from __future__ import annotations

import io
import re
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from ..formatting import format_count
from ..model import FindingCode, LoadError
from .base import MAX_UNCOMPRESSED_BYTES, Format, Place, Workbook, megabytes
from .document import Block, Paragraph, Table, interpret

MAX_PAGES = 100
MAX_SECONDS = 30.0
MAX_CHARACTERS_PER_PAGE = 100_000
_BULLETS = "•◦▪‣–-\uf0b7\uf0a7\uf0d8"
_STREAM = re.compile(rb"/FlateDecode[^>]*>>\s*stream\r?\n")
_MARGIN = 0.08  # the top and bottom share of a page where headers and footers stand
_CLOSING = ".,;:!?)"  # punctuation that closes a word: a line starting with it goes on without a space
_CONJUNCTIONS = frozenset({"und", "oder", "bzw.", "sowie", "bis"})  # "Straßen- und Verkehrszeichen"
# Words that stand on their own, never the end of a longer one broken at a line's end.
_SMALL_WORDS = frozenset(
    (
        "an", "am", "auf", "aus", "bei", "bis", "das", "dem", "den", "der", "des", "die", "ein", "eine", "einem",
        "einen", "einer", "eines", "für", "im", "in", "inkl", "mit", "nach", "nicht", "nur", "oder", "sowie", "über",
        "um", "und", "von", "vom", "vor", "zu", "zum", "zur",
    )
)
_UNSURE = "\ue000"  # in a cell's text until the document is read: a break that may be inside a word


def _check_streams(data: bytes) -> None:
    """The compressed streams unpacked, counted without keeping them: a PDF bomb is refused before parsing."""
    total = 0
    for match in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        end = data.find(b"endstream", match.end())
        chunk = data[match.end() : end if end > 0 else len(data)]
        try:
            while chunk:
                total += len(inflater.decompress(chunk, 1024 * 1024))
                chunk = inflater.unconsumed_tail
                if total > MAX_UNCOMPRESSED_BYTES:
                    raise LoadError(
                        f"Das PDF enthält entpackt mehr als {megabytes(MAX_UNCOMPRESSED_BYTES)} Daten; die Datei wurde "
                        "nicht geöffnet.",
                        code=FindingCode.UNPACKED_TOO_LARGE,
                    )
        except zlib.error:
            continue


@dataclass
class _Word:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    bold: bool
    # A space glyph drawn right after the word: where a line ends so, it was broken at a space (None: the page
    # draws no spaces at all, so that this cannot be told).
    space_after: bool | None = None


def _lines(words: list[_Word]) -> list[list[_Word]]:
    lines: list[list[_Word]] = []
    for word in sorted(words, key=lambda w: (round(w.top), w.x0)):
        if lines and abs(lines[-1][0].top - word.top) < 3:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [sorted(line, key=lambda w: w.x0) for line in lines]


def _line_text(line: list[_Word]) -> str:
    return " ".join(word.text for word in line)


def _cell_text(words: list[_Word], left: float, right: float) -> str:
    """A cell's words as text: wrapped lines joined, lines that end short of the edge ending a paragraph.

    Where the line was broken decides how it is joined (_joined): at a space with a space; inside a
    word too long for the cell ("Zentralberei" + "ch 1"), after a hyphen or a slash ("WLAN-" +
    "Hotspots") or before a comma without one.
    """
    lines = _lines(words)
    if not lines:
        return ""
    start = min(line[0].x0 for line in lines)
    edge = right - max(start - left, 0)
    text = _line_text(lines[0])
    for previous, line in pairwise(lines):
        last, first = previous[-1], line[0]
        character = (last.x1 - last.x0) / max(len(last.text), 1)
        gap = edge - last.x1
        if gap > (first.x1 - first.x0) + 1.5 * character:
            text += "\n" + _line_text(line)
        else:
            joined = _joined(previous, first, edge - start, character)
            text += ("" if joined else _UNSURE if joined is None else " ") + _line_text(line)
    return text


def _joined(previous: list[_Word], first: _Word, width: float, character: float) -> bool | None:
    """Whether the next line goes on without a space; None where only the document's own words can tell.

    A space the PDF draws at the line's end is proof of a break at a space (not every PDF draws them
    all). A line ending in a hyphen or a slash goes on without a space ("WLAN-" + "Hotspots",
    "Klimaschutz/" + "Umwelt") unless a conjunction follows ("Straßen- und"). Only a word wider than
    the whole line is broken inside ("Zentralberei" + "ch 1"): Word and LibreOffice move any other
    word to the next line. But a line filled by one word that was moved on whole looks the same
    ("Beantragung" + "eines"): that is decided once the whole document is read (_resolve).
    """
    last = previous[-1]
    if last.space_after:
        return False
    if first.text[:1] in _CLOSING + "/":
        return True
    if last.text.endswith(("-", "/")):
        return first.text.casefold() not in _CONJUNCTIONS
    too_wide = (last.x1 - last.x0) + (first.x1 - first.x0) > width - character
    if len(previous) == 1 and too_wide and last.text[-1:] not in _CLOSING and first.text[:1].islower():
        return None
    return False


def _inner_words(lines: list[list[_Word]]) -> set[str]:
    """The words after the first of each line, folded: whole words, never the end of a broken one."""
    return {_fold(word.text) for line in lines for word in line[1:]}


def _resolve(text: str, words: set[str]) -> str:
    """Each unsure break of a cell joined: with a space where the part before it or the part after it is
    a word the document uses elsewhere inside a line (where no fragments stand), or one of the small
    words that never end a longer one ("eines", "für", "an"); else as one word ("Teilgenehmi" +
    "gungsakten"). A short known word is no proof ("ControlSeri" + "es", "Aufwand/Aus" + "zahlung")."""
    if _UNSURE not in text:
        return text
    parts = text.split(_UNSURE)
    result = parts[0]
    for part in parts[1:]:
        before = _fold(re.split(r"[\s/]", result)[-1])
        after = _fold(re.split(r"[\s/-]", part, maxsplit=1)[0])
        known = after in _SMALL_WORDS or (len(after) > 2 and after in words) or (len(before) > 3 and before in words)
        result += (" " if known else "") + part
    return result


def _fold(word: str) -> str:
    return word.strip(_CLOSING + "„“\"'(").casefold()


def _space_after(word: dict, spaces: list[dict]) -> bool:
    return any(abs(c["top"] - word["top"]) < 2 and -0.5 <= c["x0"] - word["x1"] < 2 for c in spaces)


def _inside(word: _Word, box: tuple[float, float, float, float]) -> bool:
    middle_x, middle_y = (word.x0 + word.x1) / 2, word.top + 2
    return box[0] <= middle_x <= box[2] and box[1] <= middle_y <= box[3]


def _page_blocks(
    page, number: int
) -> tuple[list[tuple[float, Block]], list[tuple[float, list[_Word]]], set[str]]:
    """The page's tables, its other lines, and the words that stand inside a line (no fragments there)."""
    spaces = [c for c in page.chars if c["text"] == " "]
    words = [
        _Word(
            w["text"],
            w["x0"],
            w["x1"],
            w["top"],
            w["bottom"],
            "bold" in str(w.get("fontname", "")).casefold(),
            _space_after(w, spaces) if spaces else None,
        )
        for w in page.extract_words(extra_attrs=["fontname"], keep_blank_chars=False)
    ]
    found = page.find_tables()
    used: set[int] = set()
    inner: set[str] = set()
    blocks: list[tuple[float, Block]] = []
    for table in found:
        rows: list[list[str | None]] = []
        # A cell merged over several rows is one tall box: its text goes to each row it spans, as in a workbook.
        spans: dict[int, tuple[float, str]] = {}
        for row in table.rows:
            boxes = [box for box in row.cells if box is not None]
            top = min((box[1] for box in boxes), default=0)
            bottom = min((box[3] for box in boxes), default=0)
            cells: list[str | None] = []
            for column, box in enumerate(row.cells):
                if box is None:
                    span = spans.get(column)
                    cells.append(span[1] if span and span[0] > top + 1 else None)
                    continue
                inside = [i for i, word in enumerate(words) if i not in used and _inside(word, box)]
                used.update(inside)
                cells.append(_cell_text([words[i] for i in inside], box[0], box[2]))
                inner.update(_inner_words(_lines([words[i] for i in inside])))
                if box[3] > bottom + 1:
                    spans[column] = (box[3], cells[-1])
                else:
                    spans.pop(column, None)
            rows.append(cells)
        blocks.append((table.bbox[1], Table(rows, [Place(number, 0, 0)] * len(rows))))
    rest = [word for i, word in enumerate(words) if i not in used]
    lines = _lines(rest)
    inner.update(_inner_words(lines))
    return blocks, [(line[0].top, line) for line in lines], inner


def _paragraphs(lines: list[tuple[float, list[_Word]]], page: int, right: float) -> list[tuple[float, Block]]:
    """A page's lines outside tables as paragraphs: a bullet, a bold line, a short line or a gap starts one."""
    result: list[tuple[float, Block]] = []
    current: Paragraph | None = None
    previous: tuple[float, list[_Word]] | None = None
    left = min((line[0].x0 for _, line in lines), default=0)
    for number, (top, line) in enumerate(lines, start=1):
        text = _line_text(line)
        bullet = text[:1] in _BULLETS and ((len(text) > 1 and text[1] == " ") or len(line) > 1)
        bold = all(word.bold for word in line)
        height = line[0].top - previous[0] if previous else 0
        starts = (
            current is None
            or bullet
            or bold
            or current.heading
            or (previous is not None and height > 1.8 * _line_height(previous[1]))
            or (previous is not None and right - previous[1][-1].x1 > (line[0].x1 - line[0].x0) + 10)
        )
        if starts:
            level = 0
            if bullet:
                text = text[1:].strip()
                level = 1 + int((line[0].x0 - left) > 30)
            current = Paragraph(text, Place(page, None, number), heading=bold, level=level)
            result.append((top, current))
        else:
            current.text += ("" if current.text.endswith("-") else " ") + text
        previous = (top, line)
    return result


def _line_height(line: list[_Word]) -> float:
    return max(word.bottom - word.top for word in line)


def _repeated(pages: list[list[tuple[float, list[_Word]]]], heights: list[float]) -> set[str]:
    """Texts of the lines at the top or bottom of several pages: headers, footers and page numbers."""
    seen: Counter[str] = Counter()
    for lines, height in zip(pages, heights, strict=True):
        marginal = {
            re.sub(r"\d+", "#", _line_text(line))
            for top, line in lines
            if top < height * _MARGIN or top > height * (1 - _MARGIN)
        }
        seen.update(marginal)
    return {text for text, count in seen.items() if count >= 2 and count >= len(pages) / 2}


def blocks(data: bytes) -> list[Block]:
    if b"/Encrypt" in data:
        raise LoadError(
            "Das PDF-Dokument ist verschlüsselt (mit einem Kennwort oder Rechteschutz). Bitte eine Fassung ohne "
            "Schutz oder die Word- oder Excel-Fassung des Berichts hochladen.",
            code=FindingCode.PASSWORD_PROTECTED,
        )
    _check_streams(data)
    deadline = time.monotonic() + MAX_SECONDS
    import pdfplumber  # noqa: PLC0415  (see read)

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        pages = pdf.pages
        if len(pages) > MAX_PAGES:
            raise LoadError(
                f"Das PDF hat {len(pages)} Seiten; gelesen werden höchstens {MAX_PAGES}.",
                code=FindingCode.DOCUMENT_TOO_COMPLEX,
            )
        tables: list[list[tuple[float, Block]]] = []
        texts: list[list[tuple[float, list[_Word]]]] = []
        heights: list[float] = []
        words: set[str] = set()
        characters = 0
        for number, page in enumerate(pages, start=1):
            if time.monotonic() > deadline:
                raise LoadError(
                    f"Das PDF-Dokument ist zu aufwendig, um es zu lesen (mehr als {MAX_SECONDS:.0f} Sekunden). Bitte "
                    "die Word- oder Excel-Fassung des Berichts hochladen.",
                    code=FindingCode.DOCUMENT_TOO_COMPLEX,
                )
            if len(page.chars) > MAX_CHARACTERS_PER_PAGE:
                raise LoadError(
                    f"Seite {number} des PDF hat mehr als {format_count(MAX_CHARACTERS_PER_PAGE)} Zeichen.",
                    code=FindingCode.DOCUMENT_TOO_COMPLEX,
                )
            characters += len(page.chars)
            page_tables, page_lines, page_words = _page_blocks(page, number)
            words.update(page_words)
            tables.append(page_tables)
            texts.append(page_lines)
            heights.append(float(page.height))
            page.flush_cache()
        if characters == 0:
            raise LoadError(
                "Das PDF enthält keinen Text, nur Bilder (wohl ein eingescannter Bericht). Bitte die Word- oder "
                "Excel-Fassung des Berichts hochladen.",
                code=FindingCode.NO_TEXT,
            )
    for page_tables in tables:
        for _, table in page_tables:
            table.rows = [[cell if cell is None else _resolve(cell, words) for cell in row] for row in table.rows]
    return _ordered(tables, texts, heights)


def _ordered(
    tables: list[list[tuple[float, Block]]], texts: list[list[tuple[float, list[_Word]]]], heights: list[float]
) -> list[Block]:
    """Every page's tables and paragraphs top to bottom, tables numbered, a table going on over a page kept one."""
    repeated = _repeated(texts, heights)
    result: list[Block] = []
    number = 0
    last: Table | None = None
    for page, (page_tables, lines) in enumerate(zip(tables, texts, strict=True), start=1):
        kept = [(top, line) for top, line in lines if re.sub(r"\d+", "#", _line_text(line)) not in repeated]
        right = max((line[-1].x1 for _, line in kept), default=0)
        items = sorted([*page_tables, *_paragraphs(kept, page, right)], key=lambda item: item[0])
        for index, (_, block) in enumerate(items):
            if isinstance(block, Table):
                goes_on = (
                    index == 0
                    and last is not None
                    and result
                    and result[-1] is last
                    and len(block.rows[0]) == len(last.rows[-1])
                )
                if goes_on:
                    first_row = len(last.rows)
                    block.places = [Place(page, number, first_row + i + 1) for i in range(len(block.rows))]
                    block.breaks = {0}
                    last.rows.extend(block.rows)
                    last.places.extend(block.places)
                    last.breaks.add(first_row)
                    continue
                number += 1
                block.places = [Place(page, number, i + 1) for i in range(len(block.rows))]
                last = block
            result.append(block)
    return result


def read(data: bytes, filename: str) -> Workbook:
    # Imported here: pdfplumber and pdfminer take a tenth of a second to import, which every spreadsheet's load
    # would pay.
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect  # noqa: PLC0415
    from pdfminer.pdfparser import PDFSyntaxError  # noqa: PLC0415
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException  # noqa: PLC0415

    try:
        parts = blocks(data)
    except LoadError:
        raise
    except (PDFPasswordIncorrect, PDFEncryptionError) as error:
        raise LoadError(
            "Das PDF-Dokument ist mit einem Kennwort geschützt. Bitte eine Fassung ohne Kennwort hochladen.",
            code=FindingCode.PASSWORD_PROTECTED,
        ) from error
    except (
        PdfminerException,  # pdfplumber's wrapper around whatever pdfminer raised on a broken file
        MalformedPDFException,
        PDFSyntaxError,
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        OSError,
    ) as error:
        raise LoadError(
            "Das PDF-Dokument ist beschädigt und kann nicht gelesen werden. Bitte die Word- oder Excel-Fassung des "
            "Berichts hochladen.",
            code=FindingCode.DAMAGED_FILE,
        ) from error
    return interpret(parts, "pdf")


FORMAT = Format("pdf", "PDF-Dokument", (".pdf",), read, document=True)
