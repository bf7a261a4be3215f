"""How detection reads text: folding, the tokenizer, and the disclosure markers it knows.

Folding and tokenizing are the same for one post (``detect_one``) and for a batch (``detect``),
so both read them from here; the module docstring of ``detector`` says what they match.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources

import yaml

from shared.detection.models import DisclosureMarker

SEP = "\x01"  # joins captions of a batch; a non-word, non-space character no token contains


@functools.cache
def _combining_marks() -> re.Pattern[str]:
    # BMP only: a character class reaching past U+FFFF is matched range by range, 5x slower.
    ranges: list[list[int]] = []
    for code in range(0x10000):
        if unicodedata.combining(chr(code)):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    body = "".join(f"{re.escape(chr(low))}-{re.escape(chr(high))}" for low, high in ranges)
    return re.compile(f"[{body}]+")


def fold(text: str) -> str:
    """Text as detection compares it: compatibility-decomposed, casefolded, accents dropped."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    return text if text.isascii() else _combining_marks().sub("", text)


def creator_key(platform: str, username: str) -> tuple[str, str]:
    return platform.strip().casefold(), fold(username).strip().lstrip("@")


@functools.cache
def load_disclosure_markers() -> tuple[DisclosureMarker, ...]:
    """The markers of ``disclosure_markers.yaml``, strong ones first within each language."""
    source = resources.files("shared").joinpath("detection/disclosure_markers.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    markers: list[DisclosureMarker] = []
    for language, lists in data.items():
        for key, prefix, weak in (
            ("hashtags", "#", False),
            ("phrases", "", False),
            ("weak_hashtags", "#", True),
            ("weak_phrases", "", True),
        ):
            for text in lists.get(key) or ():
                markers.append(DisclosureMarker(f"{prefix}{text}", str(language), weak))
    return tuple(markers)


@dataclass(frozen=True)
class Lexicon:
    """The tokenizer, and the disclosure markers among its tokens."""

    tags: re.Pattern[str]  # separator | hashtag | mention
    phrases: re.Pattern[str]  # separator | disclosure word or phrase
    markers: Mapping[str, DisclosureMarker]  # token -> the marker as listed in the data file

    def tokens(self, folded: str) -> list[str]:
        """Hashtags, mentions and disclosure phrases (whitespace made single spaces)."""
        found = self.tags.findall(folded) + single_spaced(self.phrases.findall(folded))
        return [token for token in found if token != SEP]

    def entry_tokens(self, entry: str, sigil: str) -> list[str]:
        return self.tokens(sigil + fold(entry).strip().lstrip("#@"))


def single_spaced(found: list[str]) -> list[str]:
    """Phrase matches with their whitespace made single spaces (separators kept)."""
    return [match if match == SEP else " ".join(match.split()) for match in found]


@functools.cache
def lexicon() -> Lexicon:
    markers: dict[str, DisclosureMarker] = {}
    phrases: list[list[str]] = []
    for marker in load_disclosure_markers():
        words = fold(marker.text).split()
        if marker.kind == "phrase":
            phrases.append(words)
        markers.setdefault(" ".join(words), marker)
    # Every alternative starts with a literal character (a lookbehind comes after it), so the
    # regex engine skips straight to the characters that may start a token.
    tags = [re.escape(SEP), r"#\w+", r"@(?<!\w@)\w(?:[\w.]*\w)?"]
    return Lexicon(
        tags=re.compile("|".join(tags)),
        phrases=re.compile("|".join([re.escape(SEP), *_phrase_patterns(phrases)])),
        markers=markers,
    )


def _phrase_patterns(phrases: list[list[str]]) -> list[str]:
    r"""Whole words with any whitespace between them, ``(?<![\w#@])w1\s+w2(?!\w)``, longest
    first; written one alternative per first character, that character ahead. A word right
    after ``#`` or ``@`` is part of a tag, which the tag tokens already cover."""
    by_first: dict[str, list[str]] = {}
    for words in sorted(phrases, key=lambda words: len(" ".join(words)), reverse=True):
        first = re.escape(words[0][0])
        body = r"\s+".join(re.escape(word) for word in words)[len(first) :]
        if body not in by_first.setdefault(first, []):
            by_first[first].append(body)
    return [
        rf"{first}(?<![\w#@]{first})(?:{'|'.join(bodies)})(?!\w)"
        for first, bodies in by_first.items()
    ]
