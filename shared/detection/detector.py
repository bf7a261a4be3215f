"""Which social posts belong to which creator campaign: a pure function over batches.

Candidates
    A post is scored against a campaign only when its author, ``(platform, username)``, is in
    the campaign's ``creator_keys`` (platform compared case-insensitively, username folded as
    below and without a leading ``@``). ``detect`` returns one row per such pair, in post order
    and then rule order; ``detect_one`` on any other pair returns confidence 0.

Evidence and score (noisy-OR)
    Each kind of evidence has a strength ``s = weight * e`` with ``e`` in [0, 1]::

        evidence                                   weight   e
        required hashtags present                   0.60    share of the rule's required hashtags
        required mentions present                   0.60    share of the rule's required mentions
        tracking link pattern found in the caption  0.70    1 or 0
        any optional hashtag                        0.10    1 or 0
        paid-partnership flag True                  0.50    1 or 0 (False and None prove nothing)
        disclosure marker (#ad, #anzeige, ...)      0.30    1 or 0

        confidence = round((1 - prod(1 - s)) * date_factor, 4)

    ``date_factor`` is 0.2 when ``posted_at`` is known and its UTC day lies outside the
    campaign's dates (inclusive; an open end is no limit), else 1. An unknown ``posted_at``
    changes nothing but is named in the reasons. ``is_campaign_content`` is
    ``confidence >= rule.min_match_confidence``.

    The weights are tuned so that, at the default threshold of 0.7: a post without identifying
    evidence (no required hashtag, required mention or tracking link) tops out at
    ``1 - 0.9 * 0.5 * 0.7 = 0.685`` whatever its flags; a tracking link alone reaches 0.7; all
    required hashtags (or all required mentions) give 0.6 and need one more signal: a disclosure
    (0.72), the paid flag (0.8) or the other required kind (0.84).

Text matching
    Text is folded before comparison: NFKD, casefold, NFKD again, then the combining marks of
    the Basic Multilingual Plane (accents, diacritics) are dropped; so ``#Café``, ``#CAFE``,
    ``#cafe`` in fullwidth or in mathematical bold letters all read ``#cafe``. A hashtag is
    ``#`` and the word characters after it, so punctuation and emoji around it do not matter
    (``#AcmeTrail!``, ``🔥#acmetrail🔥``, ``#a#b`` is two tags); a mention is ``@`` not preceded
    by a word character (an e-mail address is no mention) and the word characters and inner
    dots after it. Tags are read from the caption and from the scraper's lists (an entry reads
    as if written ``#entry`` or ``@entry`` in the caption). Rule tags are folded the same way,
    surrounding punctuation dropped; a tag listed twice counts once, and an optional hashtag
    that is also required counts as required. A rule tag that cannot be a token (``acme-trail``)
    never matches. Disclosure markers come from ``disclosure_markers.yaml``: hashtags match as
    tags, phrases as whole words with any whitespace between them. The tracking link pattern is
    a Python regular expression searched, ignoring case, in the caption as written.

Volume
    ``detect`` joins posts to rules on the folded author key, folds and tokenizes captions
    20,000 at a time (joined into one string, one regex pass each for tags and phrases), numbers
    the tokens any rule or marker looks for, and tests every (pair, rule tag) against the sorted
    ``post * vocabulary + token`` keys with one ``searchsorted``. Each tracking link pattern is
    compiled once and run over its own candidates' captions in one call.
"""

from __future__ import annotations

import functools
import gc
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import resources
from itertools import chain, repeat

import numpy as np
import numpy.typing as npt
import pandas as pd
import yaml

from shared.detection.models import CampaignRule, DisclosureMarker, Match, PostText

W_REQUIRED_HASHTAGS = 0.6
W_REQUIRED_MENTIONS = 0.6
W_TRACKING_LINK = 0.7
W_OPTIONAL_HASHTAG = 0.1
W_PAID_PARTNERSHIP = 0.5
W_DISCLOSURE = 0.3
OUTSIDE_DATES_FACTOR = 0.2
CONFIDENCE_DECIMALS = 4

COLUMNS = ("post_key", "campaign_id", "confidence", "reasons", "is_campaign_content")
NOT_ALLOCATED = "creator not allocated to this campaign"
LINK_MATCHED = "tracking link matched"
PAID_FLAG = "paid partnership flag"
INSIDE_DATES = "posted inside campaign dates"
OUTSIDE_DATES = "posted outside campaign dates"
DATE_UNKNOWN = "posting date unknown"

_SEP = "\x01"  # joins captions of a batch; a non-word, non-space character no token contains
_STAND_IN = "\x02"  # replaces a _SEP found inside a caption; reads the same to the tokenizer
_CHUNK = 20_000  # captions folded and tokenized per regex call
_REQUIRED_HASHTAG, _REQUIRED_MENTION, _OPTIONAL_HASHTAG = 0, 1, 2

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]
Floats = npt.NDArray[np.float64]


# --- Text ---------------------------------------------------------------------------------


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
    source = resources.files("shared").joinpath("detection/disclosure_markers.yaml")
    data = yaml.safe_load(source.read_text(encoding="utf-8"))
    markers: list[DisclosureMarker] = []
    for language, lists in data.items():
        for tag in lists.get("hashtags") or ():
            markers.append(DisclosureMarker(f"#{tag}", str(language)))
        for phrase in lists.get("phrases") or ():
            markers.append(DisclosureMarker(str(phrase), str(language)))
    return tuple(markers)


@dataclass(frozen=True)
class _Lexicon:
    """The tokenizer, and the disclosure markers among its tokens."""

    tags: re.Pattern[str]  # separator | hashtag | mention
    phrases: re.Pattern[str]  # separator | disclosure phrase
    disclosures: Mapping[str, str]  # token -> the marker as written in the data file

    def tokens(self, folded: str) -> list[str]:
        """Hashtags, mentions and disclosure phrases (whitespace made single spaces)."""
        found = self.tags.findall(folded) + _single_spaced(self.phrases.findall(folded))
        return [token for token in found if token != _SEP]

    def entry_tokens(self, entry: str, sigil: str) -> list[str]:
        return self.tokens(sigil + fold(entry).strip().lstrip("#@"))


def _single_spaced(found: list[str]) -> list[str]:
    """Phrase matches with their whitespace made single spaces (separators kept)."""
    return [match if match == _SEP else " ".join(match.split()) for match in found]


@functools.cache
def _lexicon() -> _Lexicon:
    disclosures: dict[str, str] = {}
    phrases: list[list[str]] = []
    for marker in load_disclosure_markers():
        words = fold(marker.text).split()
        if marker.kind == "phrase":
            phrases.append(words)
        disclosures.setdefault(" ".join(words), marker.text)
    # Every alternative starts with a literal character (a lookbehind comes after it), so the
    # regex engine skips straight to the characters that may start a token.
    tags = [re.escape(_SEP), r"#\w+", r"@(?<!\w@)\w(?:[\w.]*\w)?"]
    return _Lexicon(
        tags=re.compile("|".join(tags)),
        phrases=re.compile("|".join([re.escape(_SEP), *_phrase_patterns(phrases)])),
        disclosures=disclosures,
    )


def _phrase_patterns(phrases: list[list[str]]) -> list[str]:
    r"""Whole words with any whitespace between them, ``(?<!\w)w1\s+w2(?!\w)``, longest
    first; written one alternative per first character, that character ahead."""
    by_first: dict[str, list[str]] = {}
    for words in sorted(phrases, key=lambda words: len(" ".join(words)), reverse=True):
        first = re.escape(words[0][0])
        body = r"\s+".join(re.escape(word) for word in words)[len(first) :]
        if body not in by_first.setdefault(first, []):
            by_first[first].append(body)
    return [
        rf"{first}(?<!\w{first})(?:{'|'.join(bodies)})(?!\w)" for first, bodies in by_first.items()
    ]


# --- Rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Tag:
    token: str
    kind: int
    reason: str


@dataclass(frozen=True)
class _Prepared:
    rule: CampaignRule
    tags: tuple[_Tag, ...]  # in reason order: required hashtags, required mentions, optional
    required_hashtags: int
    required_mentions: int
    link: re.Pattern[str] | None
    creators: frozenset[tuple[str, str]]
    first_day: int  # proleptic ordinals; open ends are far away
    last_day: int

    @property
    def has_dates(self) -> bool:
        return self.rule.start_date is not None or self.rule.end_date is not None


@functools.lru_cache(maxsize=4096)
def _prepare(rule: CampaignRule) -> _Prepared:
    tags: dict[str, _Tag] = {}
    for values, sigil, kind, label in (
        (rule.required_hashtags, "#", _REQUIRED_HASHTAG, "required hashtag"),
        (rule.required_mentions, "@", _REQUIRED_MENTION, "mentions"),
        (rule.optional_hashtags, "#", _OPTIONAL_HASHTAG, "optional hashtag"),
    ):
        for value in values:
            token = sigil + fold(value).strip(string.punctuation + string.whitespace)
            tags.setdefault(token, _Tag(token, kind, f"{label} {sigil}{value}"))
    kinds = [tag.kind for tag in tags.values()]
    pattern = rule.tracking_link_pattern
    return _Prepared(
        rule=rule,
        tags=tuple(tags.values()),
        required_hashtags=kinds.count(_REQUIRED_HASHTAG),
        required_mentions=kinds.count(_REQUIRED_MENTION),
        link=re.compile(pattern, re.IGNORECASE) if pattern is not None else None,
        creators=frozenset(creator_key(*key) for key in rule.creator_keys),
        first_day=rule.start_date.toordinal() if rule.start_date else -1,
        last_day=rule.end_date.toordinal() if rule.end_date else date.max.toordinal() + 1,
    )


def _day(posted_at: datetime | None) -> int | None:
    if posted_at is None:
        return None
    if posted_at.tzinfo is not None:
        posted_at = posted_at.astimezone(UTC)
    return posted_at.date().toordinal()


def _share(found: int, required: int) -> float:
    return found / required if required else 0.0


def _date_reason(unknown: bool, outside: bool) -> str:
    return DATE_UNKNOWN if unknown else OUTSIDE_DATES if outside else INSIDE_DATES


def _score(
    *,
    hashtags: float,
    mentions: float,
    link: bool,
    optional: bool,
    paid: bool,
    disclosed: bool,
    outside: bool,
) -> float:
    """The noisy-OR of the module docstring for one pair (``_scores`` is its vector twin)."""
    keep = (
        (1.0 - W_REQUIRED_HASHTAGS * hashtags)
        * (1.0 - W_REQUIRED_MENTIONS * mentions)
        * (1.0 - W_TRACKING_LINK * link)
        * (1.0 - W_OPTIONAL_HASHTAG * optional)
        * (1.0 - W_PAID_PARTNERSHIP * paid)
        * (1.0 - W_DISCLOSURE * disclosed)
    )
    confidence = (1.0 - keep) * (OUTSIDE_DATES_FACTOR if outside else 1.0)
    return float(np.round(confidence, CONFIDENCE_DECIMALS))


# --- One pair at a time -------------------------------------------------------------------


def detect_one(post: PostText, rule: CampaignRule) -> Match:
    """Score one post against one campaign (the reference for ``detect``)."""
    prepared = _prepare(rule)
    if creator_key(post.platform, post.username) not in prepared.creators:
        return Match(post.post_key, rule.campaign_id, 0.0, [NOT_ALLOCATED], False)
    lexicon = _lexicon()
    tokens = set(lexicon.tokens(fold(post.caption or "")))
    for entries, sigil in ((post.hashtags, "#"), (post.mentions, "@")):
        for entry in entries or ():
            tokens.update(lexicon.entry_tokens(entry, sigil))

    hits = [tag for tag in prepared.tags if tag.token in tokens]
    kinds = [tag.kind for tag in hits]
    link = prepared.link is not None and prepared.link.search(post.caption or "") is not None
    paid = post.is_paid_partnership is True
    disclosures = sorted(
        {f"disclosure {lexicon.disclosures[t]}" for t in tokens if t in lexicon.disclosures}
    )
    day = _day(post.posted_at)
    outside = day is not None and not prepared.first_day <= day <= prepared.last_day

    confidence = _score(
        hashtags=_share(kinds.count(_REQUIRED_HASHTAG), prepared.required_hashtags),
        mentions=_share(kinds.count(_REQUIRED_MENTION), prepared.required_mentions),
        link=link,
        optional=_OPTIONAL_HASHTAG in kinds,
        paid=paid,
        disclosed=bool(disclosures),
        outside=outside,
    )
    reasons = [tag.reason for tag in hits]
    reasons += [LINK_MATCHED] * link + [PAID_FLAG] * paid + disclosures
    if prepared.has_dates:
        reasons.append(_date_reason(day is None, outside))
    return Match(
        post.post_key,
        rule.campaign_id,
        confidence,
        reasons,
        confidence >= rule.min_match_confidence,
    )


# --- Batches ------------------------------------------------------------------------------


def detect(posts: Sequence[PostText], rules: Sequence[CampaignRule]) -> pd.DataFrame:
    """Score every post against every campaign its author is allocated to.

    One row per (post, campaign) pair, in post order and then rule order, with the columns of
    ``COLUMNS``: the same confidence and reasons as ``detect_one`` gives each pair, computed
    with array operations (each post's text is folded and tokenized once).
    """
    with _collector_paused():
        return _detect(posts, rules)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause CPython's cycle collector: building millions of small lists would make it rescan
    every live object again and again, and nothing here creates reference cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _detect(posts: Sequence[PostText], rules: Sequence[CampaignRule]) -> pd.DataFrame:
    prepared = [_prepare(rule) for rule in rules]
    pair_post, pair_rule = _candidate_pairs(posts, prepared)
    if not pair_post.size:
        return _frame([], [], np.zeros(0), [], np.zeros(0, dtype=bool))
    first_of_post = np.r_[True, pair_post[1:] != pair_post[:-1]]  # pairs come in post order
    chosen = [posts[number] for number in pair_post[first_of_post].tolist()]
    pair_row = np.cumsum(first_of_post) - 1
    captions = [post.caption or "" for post in chosen]
    lexicon = _lexicon()
    vocabulary = _vocabulary(prepared, lexicon)
    tokens = _token_keys(chosen, captions, lexicon, vocabulary)

    hit_pair, hit_tag = _tag_hits(pair_row, pair_rule, tokens, vocabulary)
    hit_kind = vocabulary.tag_kind[hit_tag]
    pairs = pair_rule.size

    def share(kind: int, required: Ints) -> Floats:
        hits = np.bincount(hit_pair[hit_kind == kind], minlength=pairs)
        return np.divide(hits, required, out=np.zeros(pairs), where=required > 0)

    days = [_day(post.posted_at) for post in chosen]
    known = np.fromiter((day is not None for day in days), bool, len(days))[pair_row]
    day = np.fromiter((day or 0 for day in days), np.int64, len(days))[pair_row]
    first = np.array([rule.first_day for rule in prepared], dtype=np.int64)[pair_rule]
    last = np.array([rule.last_day for rule in prepared], dtype=np.int64)[pair_rule]
    outside = known & ((day < first) | (day > last))
    paid = np.fromiter((post.is_paid_partnership is True for post in chosen), bool, len(chosen))
    disclosures = _disclosures(tokens, vocabulary)
    disclosed = np.zeros(len(chosen), dtype=bool)
    disclosed[list(disclosures)] = True
    link = _link_matches(prepared, pair_rule, pair_row, np.array(captions, dtype=object))
    optional = np.bincount(hit_pair[hit_kind == _OPTIONAL_HASHTAG], minlength=pairs) > 0

    confidence = _scores(
        hashtags=share(_REQUIRED_HASHTAG, _per_rule(prepared, "required_hashtags")[pair_rule]),
        mentions=share(_REQUIRED_MENTION, _per_rule(prepared, "required_mentions")[pair_rule]),
        link=link,
        optional=optional,
        paid=paid[pair_row],
        disclosed=disclosed[pair_row],
        outside=outside,
    )
    has_dates = np.array([rule.has_dates for rule in prepared], dtype=bool)[pair_rule]
    date_code = np.where(has_dates, np.where(known, 1 + outside, 3), 0)
    date_text = np.array(["", INSIDE_DATES, OUTSIDE_DATES, DATE_UNKNOWN], dtype=object)
    reasons = _reasons(
        hit_pair=hit_pair,
        hit_reason=vocabulary.tag_reason[hit_tag].tolist(),
        link=link,
        flagged=(paid | disclosed)[pair_row],
        pair_row=pair_row,
        paid=paid,
        disclosures=disclosures,
        date_reason=date_text[date_code].tolist(),
    )
    minimum = np.array([rule.rule.min_match_confidence for rule in prepared])[pair_rule]
    return _frame(
        np.array([post.post_key for post in chosen], dtype=object)[pair_row],
        np.array([rule.rule.campaign_id for rule in prepared], dtype=object)[pair_rule],
        confidence,
        reasons,
        confidence >= minimum,
    )


def _frame(
    post_keys: Iterable[str],
    campaign_ids: Iterable[str],
    confidence: Floats,
    reasons: list[list[str]],
    is_content: Bools,
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "post_key": pd.Series(post_keys, dtype="str"),
            "campaign_id": pd.Series(campaign_ids, dtype="str"),
            "confidence": pd.Series(confidence, dtype="float64"),
            "reasons": pd.Series(reasons, dtype="object"),
            "is_campaign_content": pd.Series(is_content, dtype="bool"),
        }
    )


def _ranges(starts: Ints, counts: Ints) -> tuple[Ints, Ints]:
    """Positions ``starts[i] .. starts[i] + counts[i] - 1`` for every i, each with its i."""
    owner = np.repeat(np.arange(counts.size, dtype=np.int64), counts)
    offsets = np.cumsum(counts) - counts
    return owner, np.arange(owner.size, dtype=np.int64) - offsets[owner] + starts[owner]


def _per_rule(prepared: Sequence[_Prepared], attribute: str) -> Ints:
    return np.array([getattr(rule, attribute) for rule in prepared], dtype=np.int64)


def _candidate_pairs(posts: Sequence[PostText], prepared: Sequence[_Prepared]) -> tuple[Ints, Ints]:
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
    post, position = _ranges((np.cumsum(counts) - counts)[combos], counts[combos])
    return post, flat[position]


@dataclass(frozen=True)
class _Vocabulary:
    """Every token detection looks for, numbered; and the rules' tags as flat arrays."""

    numbers: Mapping[str, int]
    lookup: Mapping[str, int]  # the numbers, and -2 for the separator between captions
    disclosure: list[str | None]  # by token number: the disclosure reason, if a marker
    tag_token: Ints  # the tags of rule r are tag_start[r] .. tag_start[r] + tag_count[r] - 1
    tag_kind: Ints
    tag_reason: npt.NDArray[np.object_]
    tag_start: Ints
    tag_count: Ints

    def numbered(self, tokens: list[str]) -> Ints:
        """Each token's number: -1 when detection does not look for it, -2 for a separator."""
        return np.fromiter(map(self.lookup.get, tokens, repeat(-1)), np.int64, len(tokens))


def _vocabulary(prepared: Sequence[_Prepared], lexicon: _Lexicon) -> _Vocabulary:
    numbers: dict[str, int] = {}
    tags = [tag for rule in prepared for tag in rule.tags]
    tag_token = [numbers.setdefault(tag.token, len(numbers)) for tag in tags]
    for token in lexicon.disclosures:
        numbers.setdefault(token, len(numbers))
    disclosure: list[str | None] = [None] * len(numbers)
    for token, marker in lexicon.disclosures.items():
        disclosure[numbers[token]] = f"disclosure {marker}"
    counts = np.array([len(rule.tags) for rule in prepared], dtype=np.int64)
    return _Vocabulary(
        numbers=numbers,
        lookup={**numbers, _SEP: -2},
        disclosure=disclosure,
        tag_token=np.array(tag_token, dtype=np.int64),
        tag_kind=np.array([tag.kind for tag in tags], dtype=np.int64),
        tag_reason=np.array([tag.reason for tag in tags], dtype=object),
        tag_start=np.cumsum(counts) - counts,
        tag_count=counts,
    )


def _token_keys(
    posts: Sequence[PostText], captions: list[str], lexicon: _Lexicon, vocabulary: _Vocabulary
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
    captions: list[str], lexicon: _Lexicon, vocabulary: _Vocabulary
) -> tuple[Ints, Ints]:
    """(row, token number) of the known tokens in each caption: captions are joined, folded
    and tokenized a chunk at a time, and separator tokens tell whose token is whose."""
    rows: list[Ints] = []
    numbers: list[Ints] = []
    for start in range(0, len(captions), _CHUNK):
        chunk = captions[start : start + _CHUNK]
        text = _SEP.join(chunk)
        if text.count(_SEP) != len(chunk) - 1:
            text = _SEP.join(caption.replace(_SEP, _STAND_IN) for caption in chunk)
        folded = fold(text)
        for found in lexicon.tags.findall(folded), _single_spaced(lexicon.phrases.findall(folded)):
            number = vocabulary.numbered(found)
            separator = number == -2
            row = np.cumsum(separator)[~separator] + start
            number = number[~separator]
            rows.append(row[number >= 0])
            numbers.append(number[number >= 0])
    return np.concatenate(rows), np.concatenate(numbers)


def _entry_tokens(
    lists: list[Sequence[str] | None], sigil: str, lexicon: _Lexicon, vocabulary: _Vocabulary
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
    entry, position = _ranges((np.cumsum(counts) - counts)[codes], counts[codes])
    row = np.repeat(np.arange(len(lists), dtype=np.int64), lengths)[entry]
    number = numbers[position]
    return row[number >= 0], number[number >= 0]


def _tag_hits(
    pair_row: Ints, pair_rule: Ints, tokens: Ints, vocabulary: _Vocabulary
) -> tuple[Ints, Ints]:
    """(pair, tag) for every rule tag the pair's post has, in pair order then tag order."""
    pair, tag = _ranges(vocabulary.tag_start[pair_rule], vocabulary.tag_count[pair_rule])
    keys = pair_row[pair] * len(vocabulary.numbers) + vocabulary.tag_token[tag]
    padded = np.append(tokens, -1)
    hit = padded[np.searchsorted(tokens, keys)] == keys
    return pair[hit], tag[hit]


def _disclosures(tokens: Ints, vocabulary: _Vocabulary) -> dict[int, list[str]]:
    """Row -> the sorted disclosure reasons of that post, for posts with a marker."""
    size = len(vocabulary.numbers)
    is_marker = np.array([reason is not None for reason in vocabulary.disclosure], dtype=bool)
    marked = tokens[is_marker[tokens % size]]
    found: dict[int, list[str]] = {}
    for row, number in zip((marked // size).tolist(), (marked % size).tolist(), strict=True):
        found.setdefault(row, []).append(str(vocabulary.disclosure[number]))
    return {row: sorted(reasons) for row, reasons in found.items()}


def _link_matches(
    prepared: Sequence[_Prepared],
    pair_rule: Ints,
    pair_row: Ints,
    captions: npt.NDArray[np.object_],
) -> Bools:
    """Whether each pair's caption has its rule's tracking link (each pattern compiled once,
    searched only in its own candidates' captions)."""
    matched = np.zeros(pair_rule.size, dtype=bool)
    order = np.argsort(pair_rule, kind="stable")
    bounds = np.searchsorted(pair_rule[order], np.arange(len(prepared) + 1))
    for number, rule in enumerate(prepared):
        if rule.link is not None:
            which = order[bounds[number] : bounds[number + 1]]
            matched[which] = _texts_matching(rule.link, captions[pair_row[which]].tolist())
    return matched


_CONTEXT_SENSITIVE = ("^", "$", "\\A", "\\Z", "(?=", "(?!", "(?<")


def _texts_matching(pattern: re.Pattern[str], texts: list[str]) -> Bools:
    """``pattern.search(text) is not None`` for each text, searching all texts in one call.

    The texts are joined with newlines; a match inside one text is a match of that text, and
    the texts a match runs across are searched one by one. That is exact for patterns that
    cannot match nothing and do not look at their context (anchors, lookarounds; checked
    conservatively on the source): other patterns are searched text by text.
    """
    if pattern.search("") is not None or any(s in pattern.pattern for s in _CONTEXT_SENSITIVE):
        return np.fromiter((pattern.search(t) is not None for t in texts), bool, len(texts))
    lengths = np.fromiter(map(len, texts), np.int64, len(texts))
    starts = np.cumsum(lengths + 1) - (lengths + 1)
    spans = np.array([m.span() for m in pattern.finditer("\n".join(texts))], dtype=np.int64)
    found = np.zeros(len(texts), dtype=bool)
    if not spans.size:
        return found
    first = np.searchsorted(starts, spans[:, 0], side="right") - 1
    last = np.searchsorted(starts, spans[:, 1] - 1, side="right") - 1
    inside = spans[:, 1] <= starts[first] + lengths[first]
    found[first[inside]] = True
    for low, high in zip(first[~inside].tolist(), last[~inside].tolist(), strict=True):
        for row in range(low, high + 1):
            found[row] = pattern.search(texts[row]) is not None
    return found


def _scores(
    *,
    hashtags: Floats,
    mentions: Floats,
    link: Bools,
    optional: Bools,
    paid: Bools,
    disclosed: Bools,
    outside: Bools,
) -> Floats:
    """``_score`` over arrays, with the same operations in the same order."""
    keep = (
        (1.0 - W_REQUIRED_HASHTAGS * hashtags)
        * (1.0 - W_REQUIRED_MENTIONS * mentions)
        * (1.0 - W_TRACKING_LINK * link)
        * (1.0 - W_OPTIONAL_HASHTAG * optional)
        * (1.0 - W_PAID_PARTNERSHIP * paid)
        * (1.0 - W_DISCLOSURE * disclosed)
    )
    confidence: Floats = (1.0 - keep) * np.where(outside, OUTSIDE_DATES_FACTOR, 1.0)
    return np.round(confidence, CONFIDENCE_DECIMALS)


def _reasons(
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
    reasons = [[text] if text else [] for text in date_reason]
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
        parts += disclosures.get(row, ())
        if date_reason[pair]:
            parts.append(date_reason[pair])
        reasons[pair] = parts
    return reasons
