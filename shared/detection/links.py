"""Tracking link patterns: compiled with RE2, so no pattern a person saves can stall detection.

Python's ``re`` backtracks: ``(a+)+$`` against a long run of ``a`` followed by ``!`` takes
exponential time. RE2 (google-re2) guarantees time linear in the text and refuses what it
cannot do that way (backreferences, lookarounds, repetition counts above 1,000, programs larger
than its memory budget). Patterns are checked here when a campaign is saved, so a pattern that
reaches detection always compiles; they are searched ignoring case, in UTF-8 bytes.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt
import re2

MAX_LINK_PATTERN_LENGTH = 500
_MAX_PROGRAM_BYTES = 1 << 20  # RE2's memory budget per pattern; far above any link pattern

Bools = npt.NDArray[np.bool_]


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.never_capture = True  # only whether and where the whole pattern matches counts
    options.log_errors = False  # a refused pattern is a 422, not a line on stderr
    options.max_mem = _MAX_PROGRAM_BYTES
    return options


@functools.lru_cache(maxsize=4096)
def compile_link_pattern(pattern: str) -> re2._Regexp[bytes]:
    """The pattern compiled with RE2, ignoring case; ValueError saying why when RE2 refuses."""
    if len(pattern) > MAX_LINK_PATTERN_LENGTH:
        raise ValueError(
            f"a tracking link pattern has at most {MAX_LINK_PATTERN_LENGTH} characters"
        )
    try:
        return re2.compile(_utf8(pattern), _options())
    except re2.error as exc:
        reason = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else exc
        raise ValueError(
            f"not a regular expression RE2 can run in linear time ({reason}); "
            "backreferences and lookarounds are not supported"
        ) from exc


def checked_link_pattern(pattern: str | None) -> str | None:
    """A pydantic validator: the pattern unchanged when RE2 takes it."""
    if pattern is not None:
        compile_link_pattern(pattern)
    return pattern


def _utf8(text: str) -> bytes:
    # Lone surrogates (broken scraper output) pass through as bytes RE2 never matches as text.
    return text.encode("utf-8", "surrogatepass")


def link_found(pattern: re2._Regexp[bytes], text: str) -> bool:
    return pattern.search(_utf8(text)) is not None


_CONTEXT_SENSITIVE = (b"^", b"$", b"\\A", b"\\z")


def texts_matching(pattern: re2._Regexp[bytes], texts: list[str]) -> Bools:
    """``link_found(pattern, text)`` for each text, searching all texts in one call.

    The texts are joined with newlines; a match inside one text is a match of that text, and
    the texts a match runs across are searched one by one. That is exact for patterns that
    cannot match nothing and do not look at where a text starts or ends (anchors; checked
    conservatively on the source): other patterns are searched text by text.
    """
    encoded = [_utf8(text) for text in texts]
    source = pattern.pattern
    if pattern.search(b"") is not None or any(s in source for s in _CONTEXT_SENSITIVE):
        return np.fromiter((pattern.search(t) is not None for t in encoded), bool, len(texts))
    lengths = np.fromiter(map(len, encoded), np.int64, len(encoded))
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    spans = np.array([m.span() for m in pattern.finditer(b"\n".join(encoded))], dtype=np.int64)
    found = np.zeros(len(texts), dtype=bool)
    if not spans.size:
        return found
    first = np.searchsorted(starts, spans[:, 0], side="right") - 1
    last = np.searchsorted(starts, spans[:, 1] - 1, side="right") - 1
    inside = spans[:, 1] <= starts[first] + lengths[first]
    found[first[inside]] = True
    for low, high in zip(first[~inside].tolist(), last[~inside].tolist(), strict=True):
        for row in range(low, high + 1):
            found[row] = pattern.search(encoded[row]) is not None
    return found
