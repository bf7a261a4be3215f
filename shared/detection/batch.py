"""The array work behind ``detect``: candidate pairs, token keys, hits, markers and reasons.

Everything here computes, for a whole batch at once, what ``detect_one`` computes for one
(post, campaign) pair; ``detector`` composes it into the scores.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt
import pandas as pd

from shared.detection.links import texts_matching
from shared.detection.models import DisclosureMarker, PostText
from shared.detection.rules import Prepared
from shared.detection.text import SEP, Lexicon, creator_key, fold, single_spaced

COLUMNS = (
    "post_key",
    "campaign_id",
    "confidence",
    "reasons",
    "is_campaign_content",
    "disclosed",
    "disclosure_markers",
    "weak_disclosure_markers",
)
LINK_MATCHED = "tracking link matched"
PAID_FLAG = "paid partnership flag"
PAID_LABEL = "platform paid-partnership label"

_STAND_IN = "\x02"  # replaces a SEP found inside a caption; reads the same to the tokenizer
CHUNK = 20_000  # captions folded and tokenized per regex call

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]
Objects = npt.NDArray[np.object_]


def frame(
    *,
    post_keys: Iterable[str],
    campaign_ids: Iterable[str],
    confidence: Floats,
    reasons: list[list[str]],
    is_content: Bools,
    disclosed: Bools,
    markers: Objects,
    weak: Objects,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_key": pd.Series(post_keys, dtype="str"),
            "campaign_id": pd.Series(campaign_ids, dtype="str"),
            "confidence": pd.Series(confidence, dtype="float64"),
            "reasons": pd.Series(reasons, dtype="object"),
            "is_campaign_content": pd.Series(is_content, dtype="bool"),
            "disclosed": pd.Series(disclosed, dtype="bool"),
            "disclosure_markers": pd.Series(markers, dtype="object"),
            "weak_disclosure_markers": pd.Series(weak, dtype="object"),
        }
    )


def empty_frame() -> pd.DataFrame:
    nothing = np.zeros(0, dtype=bool)
    tuples = np.empty(0, dtype=object)
    return frame(
        post_keys=[],
        campaign_ids=[],
        confidence=np.zeros(0),
        reasons=[],
        is_content=nothing,
        disclosed=nothing,
        markers=tuples,
        weak=tuples,
    )


def ranges(starts: Ints, counts: Ints) -> tuple[Ints, Ints]:
    """Positions ``starts[i] .. starts[i] + counts[i] - 1`` for every i, each with its i."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    return owner, np.arange(owner.size, dtype=np.int64) - offsets[owner] + starts[owner]


def per_rule(prepared: Sequence[Prepared], attribute: str) -> Ints:
    return np.array([getattr(rule, attribute) for rule in prepared], dtype=np.int64)


def candidate_pairs(posts: Sequence[PostText], prepared: Sequence[Prepared]) -> tuple[Ints, Ints]:
    """(post number, rule number) for every post and every rule its author is allocated to."""
    by_creator: dict[tuple[str, str], list[int]] = {}
    for number, rule in enumerate(prepared):
        for key in rule.creators:
            by_creator.setdefault(key, []).append(number)
    if not posts or not by_creator:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    platforms, platform_names = pd.factorize(np.array([p.platform for p in posts], dtype=object))
    users, user_names = pd.factorize(np.array([p.username for p in posts], dtype=object))
    width = len(user_names)
    combos, combo_values = pd.factorize(platforms.astype(np.int64) * width + users)
    rule_lists = [
        by_creator.get(creator_key(platform_names[value // width], user_names[value % width]), [])
        for value in combo_values.tolist()
    ]
    counts = np.array([len(numbers) for numbers in rule_lists], dtype=np.int64)
    flat = np.fromiter(chain.from_iterable(rule_lists), np.int64, int(counts.sum()))
    post, position = ranges((np.cumsum(counts) - counts)[combos], counts[combos])
    return post, flat[position]


@dataclass(frozen=True)
class Vocabulary:
    """Every token detection looks for, numbered; and the rules' tags as flat arrays."""

    numbers: Mapping[str, int]
    lookup: Mapping[str, int]  # the numbers, and -2 for the separator between captions
    marker: list[DisclosureMarker | None]  # by token number: the disclosure marker, if one
    tag_token: Ints  # the tags of rule r are tag_start[r] .. tag_start[r] + tag_count[r] - 1
    tag_kind: Ints
    tag_reason: Objects
    tag_start: Ints
    tag_count: Ints

    def numbered(self, tokens: list[str]) -> Ints:
        """Each token's number: -1 when detection does not look for it, -2 for a separator."""
        return np.fromiter(map(self.lookup.get, tokens, repeat(-1)), np.int64, len(tokens))


def vocabulary(prepared: Sequence[Prepared], lexicon: Lexicon) -> Vocabulary:
    numbers: dict[str, int] = {}
    tags = [tag for rule in prepared for tag in rule.tags]
    tag_token = [numbers.setdefault(tag.token, len(numbers)) for tag in tags]
    for token in lexicon.markers:
        numbers.setdefault(token, len(numbers))
    marker: list[DisclosureMarker | None] = [None] * len(numbers)
    for token, found in lexicon.markers.items():
        marker[numbers[token]] = found
    counts = np.array([len(rule.tags) for rule in prepared], dtype=np.int64)
    return Vocabulary(
        numbers=numbers,
        lookup={**numbers, SEP: -2},
        marker=marker,
        tag_token=np.array(tag_token, dtype=np.int64),
        tag_kind=np.array([tag.kind for tag in tags], dtype=np.int64),
        tag_reason=np.array([tag.reason for tag in tags], dtype=object),
        tag_start=np.cumsum(counts) - counts,
        tag_count=counts,
    )


def token_keys(
    posts: Sequence[PostText], captions: list[str], lexicon: Lexicon, vocabulary: Vocabulary
) -> Ints:
    """Sorted, distinct ``row * len(vocabulary) + token number`` of the tokens each post has."""
    found = [
        _caption_tokens(captions, lexicon, vocabulary),
        _entry_tokens([post.hashtags for post in posts], "#", lexicon, vocabulary),
        _entry_tokens([post.mentions for post in posts], "@", lexicon, vocabulary),
    ]
    rows = np.concatenate([rows for rows, _ in found])
    numbers = np.concatenate([numbers for _, numbers in found])
    keys = np.sort(rows * len(vocabulary.numbers) + numbers)
    return keys[np.r_[True, keys[1:] != keys[:-1]]] if keys.size else keys


def _caption_tokens(
    captions: list[str], lexicon: Lexicon, vocabulary: Vocabulary
) -> tuple[Ints, Ints]:
    """(row, token number) of the known tokens in each caption: captions are joined, folded
    and tokenized a chunk at a time, and separator tokens tell whose token is whose."""
    rows: list[Ints] = []
    numbers: list[Ints] = []
    for start in range(0, len(captions), CHUNK):
        chunk = captions[start : start + CHUNK]
        text = SEP.join(chunk)
        if text.count(SEP) != len(chunk) - 1:
            text = SEP.join(caption.replace(SEP, _STAND_IN) for caption in chunk)
        folded = fold(text)
        for found in lexicon.tags.findall(folded), single_spaced(lexicon.phrases.findall(folded)):
            number = vocabulary.numbered(found)
            separator = number == -2
            row = np.cumsum(separator)[~separator] + start
            number = number[~separator]
            rows.append(row[number >= 0])
            numbers.append(number[number >= 0])
    return np.concatenate(rows), np.concatenate(numbers)


def _entry_tokens(
    lists: list[Sequence[str] | None], sigil: str, lexicon: Lexicon, vocabulary: Vocabulary
) -> tuple[Ints, Ints]:
    """(row, token number) of the known tokens in the scraper's hashtag or mention lists;
    each distinct entry is tokenized once."""
    lengths = np.fromiter((len(entries or ()) for entries in lists), np.int64, len(lists))
    flat = np.array(list(chain.from_iterable(entries or () for entries in lists)), dtype=object)
    if not flat.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes, distinct = pd.factorize(flat)
    token_lists = [lexicon.entry_tokens(str(entry), sigil) for entry in distinct]
    counts = np.array([len(tokens) for tokens in token_lists], dtype=np.int64)
    numbers = vocabulary.numbered(list(chain.from_iterable(token_lists)))
    entry, position = ranges((np.cumsum(counts) - counts)[codes], counts[codes])
    row = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)[entry]
    number = numbers[position]
    return row[number >= 0], number[number >= 0]


def tag_hits(
    pair_row: Ints, pair_rule: Ints, tokens: Ints, vocabulary: Vocabulary
) -> tuple[Ints, Ints]:
    """(pair, tag) for every rule tag the pair's post has, in pair order then tag order."""
    pair, tag = ranges(vocabulary.tag_start[pair_rule], vocabulary.tag_count[pair_rule])
    keys = pair_row[pair] * len(vocabulary.numbers) + vocabulary.tag_token[tag]
    padded = np.append(tokens, -1)
    hit = padded[np.searchsorted(tokens, keys)] == keys
    return pair[hit], tag[hit]


@dataclass(frozen=True)
class Disclosure:
    """Per post (row) of a batch: its strong markers, and what the compliance columns show."""

    strong: Mapping[int, list[str]]  # row -> sorted strong marker texts, for rows with one
    disclosed: Bools  # a strong marker or the platform's paid-partnership label
    markers: Objects  # tuple of strong marker texts, then the label when flagged
    weak: Objects  # tuple of weak marker texts


def disclosure(tokens: Ints, vocabulary: Vocabulary, paid: Bools) -> Disclosure:
    size = len(vocabulary.numbers)
    is_marker = np.array([marker is not None for marker in vocabulary.marker], dtype=bool)
    marked = tokens[is_marker[tokens % size]]
    strong: dict[int, list[str]] = {}
    weak: dict[int, list[str]] = {}
    for row, number in zip((marked // size).tolist(), (marked % size).tolist(), strict=True):
        marker = vocabulary.marker[number]
        assert marker is not None
        (weak if marker.weak else strong).setdefault(row, []).append(marker.text)
    rows = paid.size
    disclosed = paid.copy()
    disclosed[list(strong)] = True
    markers, weak_markers = _tuples(rows), _tuples(rows)
    for row in np.flatnonzero(disclosed).tolist():
        markers[row] = (*sorted(strong.get(row, ())), *([PAID_LABEL] if paid[row] else []))
    for row, texts in weak.items():
        weak_markers[row] = tuple(sorted(texts))
    return Disclosure(
        strong={row: sorted(texts) for row, texts in strong.items()},
        disclosed=disclosed,
        markers=markers,
        weak=weak_markers,
    )


def _tuples(size: int) -> Objects:
    """An object array of empty tuples (immutable, so every row may share one)."""
    array = np.empty(size, dtype=object)
    array.fill(())
    return array


def link_matches(
    prepared: Sequence[Prepared], pair_rule: Ints, pair_row: Ints, captions: Objects
) -> Bools:
    """Whether each pair's caption has its rule's tracking link (each pattern compiled once,
    searched only in its own candidates' captions)."""
    matched = np.zeros(pair_rule.size, dtype=bool)
    order = np.argsort(pair_rule, kind="stable")
    bounds = np.searchsorted(pair_rule[order], np.arange(len(prepared) + 1))
    for number, rule in enumerate(prepared):
        if rule.link is not None:
            which = order[bounds[number] : bounds[number + 1]]
            matched[which] = texts_matching(rule.link, captions[pair_row[which]].tolist())
    return matched


def reasons(
    *,
    hit_pair: Ints,
    hit_reason: list[str],
    link: Bools,
    flagged: Bools,
    pair_row: Ints,
    paid: Bools,
    disclosures: Mapping[int, list[str]],
    date_reason: list[str],
) -> list[list[str]]:
    """Each pair's reasons in ``detect_one``'s order; only pairs with evidence are built one
    by one, the rest carry just their date reason."""
    built = [[text] if text else [] for text in date_reason]
    tags: dict[int, list[str]] = {}
    for pair, text in zip(hit_pair.tolist(), hit_reason, strict=True):
        tags.setdefault(pair, []).append(text)
    evidence = link | flagged
    evidence[hit_pair] = True
    for pair in np.flatnonzero(evidence).tolist():
        row = int(pair_row[pair])
        parts = tags.get(pair, [])
        if link[pair]:
            parts.append(LINK_MATCHED)
        if paid[row]:
            parts.append(PAID_FLAG)
        parts += (f"disclosure {text}" for text in disclosures.get(row, ()))
        if date_reason[pair]:
            parts.append(date_reason[pair])
        built[pair] = parts
    return built
