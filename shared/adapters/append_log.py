"""An append-only log of encoded rows on local disk, in numbered segment files.

The local warehouse's append path (duckdb_appender.py) writes each append's rows here and
answers; its loader seals the segment being written (the next append opens a new one) and moves
a sealed segment's rows into DuckDB in one write, then deletes the file. A segment still on
disk when the process ends, cleanly or not, is loaded by the next process that opens the log.
Segment numbers keep rising past every file in the directory, quarantined ones included, so
no segment is ever written over.

A segment's first record is the log's header (the writer's column list), so a segment written
for another version of the table is recognised rather than misread. Each record is one
encoded row, prefixed by its length (4 bytes, little endian); a length of zero ends the
segment's data.

A segment is a file of SEGMENT_BYTES allocated up front (so a full disk is an OSError when a
segment opens, never a fault on a write) and mapped into memory: an append is a copy into the
mapping, no system call. That matters on the request path: a call such as `os.write` lets go of
the GIL, and beside busy request threads taking it back costs more than the whole append
(measured in scripts/bench/track_intake.py). An append copies its records with the first one's
length left zero and writes that length last, so a process that dies part way through leaves
the segment ending before the append: never a torn record. The mapping is the operating
system's page cache, so what an append wrote survives the process crashing, not the machine
losing power (no fsync; this is a workstation's warehouse).
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

SUFFIX = ".seg"
QUARANTINE_SUFFIX = ".failed"
SEGMENT_BYTES = 1 << 20
"""A segment's size: the loader seals one about every LOAD_DELAY_SECONDS, and an append bigger
than what is left of a segment opens one of its own size."""
_LENGTH = struct.Struct("<I")


def frame(records: Sequence[bytes]) -> bytes:
    """Records as a segment holds them; an empty record would read as the end of the data."""
    if not all(records):
        raise ValueError("a record of the log cannot be empty")
    return b"".join(_LENGTH.pack(len(record)) + record for record in records)


def read_segment(path: Path) -> tuple[bytes | None, list[bytes]]:
    """(header, rows) of a segment; no header for one that nothing was ever written to."""
    with path.open("rb") as file:
        if os.fstat(file.fileno()).st_size == 0:
            return None, []
        with mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as data:
            records = list(unframe(data))
    return (records[0], records[1:]) if records else (None, [])


def unframe(data: bytes | mmap.mmap) -> Iterator[bytes]:
    """The records of a segment's bytes, up to the first zero length or the end; a record
    running past the end is a segment cut short."""
    offset = 0
    while offset + _LENGTH.size <= len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        if length == 0:
            return
        start = offset + _LENGTH.size
        if start + length > len(data):
            raise ValueError(f"a torn record at byte {offset} of a segment")
        yield bytes(data[start : start + length])
        offset = start + length
    if offset != len(data):
        raise ValueError(f"a torn length at byte {offset} of a segment")


_OPEN: weakref.WeakValueDictionary[Path, AppendLog] = weakref.WeakValueDictionary()
_OPEN_LOCK = threading.Lock()


def open_log(directory: Path, header: bytes) -> AppendLog:
    """The process's one log in `directory`: two logs on one directory would load and delete
    each other's segment while it is written."""
    key = directory.resolve()
    with _OPEN_LOCK:
        log = _OPEN.get(key)
        if log is None:
            log = _OPEN[key] = AppendLog(key, header)
        if log.header != header:
            raise ValueError(f"the log in {key} is open with another header")
        return log


class _Segment:
    """The segment being written: its file mapped whole, and how much of it holds records."""

    def __init__(self, path: Path, size: int) -> None:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _allocate(fd, size)
            self.mapping = mmap.mmap(fd, size)
        except BaseException:
            path.unlink()
            raise
        finally:
            os.close(fd)
        self.path = path
        self.used = 0

    def fits(self, data: bytes) -> bool:
        return self.used + len(data) <= len(self.mapping)

    def put(self, data: bytes) -> None:
        """Framed records, their first length last (module docstring)."""
        start, cut = self.used, self.used + _LENGTH.size
        self.mapping[cut : start + len(data)] = data[_LENGTH.size :]
        self.mapping[start:cut] = data[: _LENGTH.size]
        self.used += len(data)


def _allocate(fd: int, size: int) -> None:
    """The segment's blocks, reserved now; where the system cannot, a file of that size."""
    if hasattr(os, "posix_fallocate"):
        os.posix_fallocate(fd, 0, size)
    else:
        os.ftruncate(fd, size)


class AppendLog:
    """Segments `<number>.seg` in `directory`; the newest is written to, opened at its first
    write. Open a log through `open_log`."""

    def __init__(self, directory: Path, header: bytes) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.header = header
        self._framed_header = frame([header])
        self._directory = directory
        self._lock = threading.Lock()
        self._sealed = sorted(directory.glob(f"*{SUFFIX}"), key=_number)
        self._next = max(map(_number, directory.glob(f"*{SUFFIX}*")), default=0) + 1
        self._open: _Segment | None = None

    def write(self, records: Sequence[bytes]) -> None:
        """All of the records, or (OSError: the disk is full) none of them."""
        data = frame(records)
        with self._lock:
            if self._open is not None and not self._open.fits(data):
                self._seal_open()
            if self._open is None:
                size = max(SEGMENT_BYTES, len(self._framed_header) + len(data))
                path = self._directory / f"{self._next:012d}{SUFFIX}"
                self._next += 1
                self._open = _Segment(path, size)
                self._open.put(self._framed_header)
            self._open.put(data)

    def seal(self) -> list[Path]:
        """Every segment not yet handed out, oldest first, the one being written included
        (the next write opens a new one)."""
        with self._lock:
            self._seal_open()
            sealed, self._sealed = self._sealed, []
        return sealed

    def _seal_open(self) -> None:
        if self._open is not None:
            self._open.mapping.close()
            self._sealed.append(self._open.path)
            self._open = None

    def unseal(self, segments: Sequence[Path]) -> None:
        """Segments a loader could not load, handed back to be loaded first next time."""
        with self._lock:
            self._sealed = [*segments, *self._sealed]

    def __del__(self) -> None:
        if getattr(self, "_open", None) is not None:
            self._open.mapping.close()  # type: ignore[union-attr]


def _number(path: Path) -> int:
    """`000000000012.seg` and `000000000012.seg.failed` are both number 12."""
    return int(path.name.split(".", 1)[0])
