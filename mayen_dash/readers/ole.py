"""The compound file (OLE) of old Office files: its streams, with their sizes checked against the file.

Only as much of the format as telling files apart and bounding an .xls needs: the
directory's stream names and sizes, and a stream's bytes. A stream that claims to be
larger than the file, or a sector chain that loops, is a damaged or hostile file.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from ..model import FindingCode, LoadError

MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_END_OF_CHAIN = 0xFFFFFFFE
_FREE = 0xFFFFFFFF
_MINI_CUTOFF = 4096


def damaged() -> LoadError:
    return LoadError(
        "Die Datei ist beschädigt und kann nicht gelesen werden (ihr Inhaltsverzeichnis ist fehlerhaft). Bitte im "
        "Programm, das sie erstellt hat, öffnen, neu speichern und erneut hochladen.",
        code=FindingCode.DAMAGED_FILE,
    )


@dataclass(frozen=True)
class Stream:
    name: str
    start: int
    size: int


class CompoundFile:
    """The streams of a compound file; raises LoadError (damaged) for anything inconsistent."""

    def __init__(self, data: bytes) -> None:
        if len(data) < 512 or not data.startswith(MAGIC):
            raise damaged()
        self.data = data
        shift = struct.unpack_from("<H", data, 0x1E)[0]
        if shift not in (9, 12):
            raise damaged()
        self.sector_size = 1 << shift
        self.sectors = max((len(data) - 512) // self.sector_size, 0)
        fat_sectors = self._difat()
        self.fat: list[int] = []
        for sector in fat_sectors:
            self.fat.extend(struct.unpack_from(f"<{self.sector_size // 4}L", self._sector(sector)))
        directory = self._chain_bytes(struct.unpack_from("<L", data, 0x30)[0])
        self.streams: dict[str, Stream] = {}
        root_start = 0
        for offset in range(0, len(directory) - 127, 128):
            length, kind = struct.unpack_from("<HB", directory, offset + 64)
            if kind not in (1, 2, 5) or not 2 <= length <= 64:
                continue
            name = directory[offset : offset + length - 2].decode("utf-16-le", "replace")
            start, size = struct.unpack_from("<LQ", directory, offset + 116)
            if self.sector_size == 512:
                size &= 0xFFFFFFFF
            if size > len(data):
                raise damaged()
            if kind == 5:
                root_start = start
            elif kind == 2:
                self.streams.setdefault(name, Stream(name, start, size))
        self._root_start = root_start

    def _sector(self, number: int) -> bytes:
        if number >= self.sectors:
            raise damaged()
        offset = 512 + number * self.sector_size
        return self.data[offset : offset + self.sector_size]

    def _difat(self) -> list[int]:
        count = struct.unpack_from("<L", self.data, 0x2C)[0]
        sectors = [s for s in struct.unpack_from("<109L", self.data, 0x4C) if s not in (_FREE, _END_OF_CHAIN)]
        following = struct.unpack_from("<L", self.data, 0x44)[0]
        seen = 0
        while following not in (_FREE, _END_OF_CHAIN) and len(sectors) < count:
            seen += 1
            if seen > self.sectors:
                raise damaged()
            entries = struct.unpack_from(f"<{self.sector_size // 4}L", self._sector(following))
            sectors.extend(s for s in entries[:-1] if s not in (_FREE, _END_OF_CHAIN))
            following = entries[-1]
        if count > self.sectors:
            raise damaged()
        return sectors[:count]

    def _chain_bytes(self, start: int, size: int | None = None) -> bytes:
        parts, sector, seen = [], start, 0
        while sector not in (_END_OF_CHAIN, _FREE):
            seen += 1
            if seen > self.sectors or sector >= len(self.fat):
                raise damaged()  # a loop, or a chain out of the file
            parts.append(self._sector(sector))
            sector = self.fat[sector]
            if size is not None and seen * self.sector_size >= size:
                break
        data = b"".join(parts)
        return data if size is None else data[:size]

    def read(self, name: str) -> bytes:
        """A stream's bytes (a stream too small for its own sectors lives in the mini stream)."""
        stream = self.streams[name]
        if stream.size >= _MINI_CUTOFF:
            return self._chain_bytes(stream.start, stream.size)
        mini = self._chain_bytes(self._root_start)
        mini_fat_start = struct.unpack_from("<L", self.data, 0x3C)[0]
        mini_fat = self._chain_bytes(mini_fat_start) if mini_fat_start not in (_FREE, _END_OF_CHAIN) else b""
        table = struct.unpack(f"<{len(mini_fat) // 4}L", mini_fat[: len(mini_fat) // 4 * 4])
        parts, sector, seen = [], stream.start, 0
        while sector not in (_END_OF_CHAIN, _FREE) and seen * 64 < stream.size:
            seen += 1
            if sector >= len(table) or seen > len(table):
                raise damaged()
            parts.append(mini[sector * 64 : sector * 64 + 64])
            sector = table[sector]
        return b"".join(parts)[: stream.size]
