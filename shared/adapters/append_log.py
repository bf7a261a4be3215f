"""An append-only log of encoded rows on local disk, in numbered segment files.

The local warehouse's append path (duckdb_appender.py) writes each append's rows here and
answers; its loader seals the segment being written (the next append opens a new one) and moves
a sealed segment's rows into DuckDB in one write, then deletes the file. A segment still on
disk when the process ends, cleanly or not, is loaded by the next process that opens the log.
Segment numbers keep rising past every file in the directory, quarantined ones included, so
no segment is ever written over.

A segment's first record is the log's header (the writer's column list), so a segment written
for another version of the table is recognised rather than misread. Each record is one
encoded row, prefixed by its length (4 bytes, little endian). An append is
one `os.write` of all its records: the file is put back to its length before the call if the
write fails part way, so a failed append leaves no torn record for the loader to misread. The
bytes are in the operating system's page cache once `os.write` returns: they survive the
process crashing, not the machine losing power (no fsync; this is a workstation's warehouse).
"""

from __future__ import annotations

import os
import struct
import threading
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path

SUFFIX = ".seg"
QUARANTINE_SUFFIX = ".failed"
_LENGTH = struct.Struct("<I")


def frame(records: Sequence[bytes]) -> bytes:
    return b"".join(_LENGTH.pack(len(record)) + record for record in records)


def read_segment(path: Path) -> tuple[bytes | None, list[bytes]]:
    """(header, rows) of a segment; no header for an empty one (its only write failed)."""
    records = list(unframe(path.read_bytes()))
    return (records[0], records[1:]) if records else (None, [])


def unframe(data: bytes) -> Iterator[bytes]:
    """The records of a segment's bytes; a segment is only ever whole records (see above)."""
    offset = 0
    while offset < len(data):
        (length,) = _LENGTH.unpack_from(data, offset)
        start = offset + _LENGTH.size
        if start + length > len(data):
            raise ValueError(f"a torn record at byte {offset} of a segment")
        yield data[start : start + length]
        offset = start + length


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


class AppendLog:
    """Segments `<number>.seg` in `directory`; the newest is written to, opened at its first
    write. Open a log through `open_log`."""

    def __init__(self, directory: Path, header: bytes) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self.header = header
        self._directory = directory
        self._lock = threading.Lock()
        self._sealed = sorted(directory.glob(f"*{SUFFIX}"), key=_number)
        self._next = max(map(_number, directory.glob(f"*{SUFFIX}*")), default=0) + 1
        self._open: tuple[Path, int] | None = None
        self._size = 0

    def write(self, records: Sequence[bytes]) -> None:
        with self._lock:
            if self._open is None:
                path = self._directory / f"{self._next:012d}{SUFFIX}"
                self._next += 1
                flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
                self._open, self._size = (path, os.open(path, flags, 0o600)), 0
            fd = self._open[1]
            data = frame([self.header, *records] if self._size == 0 else records)
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
            except BaseException:
                os.ftruncate(fd, self._size)
                raise
            self._size += len(data)

    def seal(self) -> list[Path]:
        """Every segment not yet handed out, oldest first, the one being written included
        (the next write opens a new one)."""
        with self._lock:
            if self._open is not None:
                path, fd = self._open
                os.close(fd)
                self._sealed.append(path)
                self._open, self._size = None, 0
            sealed, self._sealed = self._sealed, []
        return sealed

    def unseal(self, segments: Sequence[Path]) -> None:
        """Segments a loader could not load, handed back to be loaded first next time."""
        with self._lock:
            self._sealed = [*segments, *self._sealed]

    def __del__(self) -> None:
        if getattr(self, "_open", None) is not None:
            os.close(self._open[1])  # type: ignore[index]


def _number(path: Path) -> int:
    """`000000000012.seg` and `000000000012.seg.failed` are both number 12."""
    return int(path.name.split(".", 1)[0])
