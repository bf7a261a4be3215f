"""Which social posts belong to which creator campaign: a pure function over batches.

Candidates
    A post is scored against a campaign only when its author, ``(platform, username)``, is in
    the campaign's ``creator_keys`` (platform compared case-insensitively, username folded as
    below and without a leading ``@``). ``detect`` returns one row per such pair, in post order
    and then rule order; ``detect_one`` on any other pair returns confidence 0.

Evidence and score (noisy-OR)
    Each kind of evidence has a strength ``s = weight * e`` with ``e`` in [0, 1]::

        evidence                                   weight   e
        required hashtags present                   0.75    share of the rule's required hashtags
        required mentions present                   0.75    share of the rule's required mentions
        tracking link pattern found in the caption  0.80    1 or 0
        any optional hashtag                        0.10    1 or 0
        paid-partnership flag True                  0.50    1 or 0 (False and None prove nothing)
        disclosure marker (#ad, Anzeige, ...)       0.30    1 or 0 (weak markers count 0)

        confidence = round((1 - prod(1 - s)) * date_factor, 4)

    ``date_factor`` is 0.2 when ``posted_at`` is known and lies outside the campaign's window
    (``CampaignRule.window``: its dates as calendar days in the campaign's time zone, both ends
    inclusive; an open end is no limit), else 1. An unknown ``posted_at`` changes nothing but
    is named in the reasons. ``is_campaign_content`` is ``confidence >= min_match_confidence``.

    The weights are tuned to how campaigns are run, at the default threshold of 0.7: any one
    kind of identifying evidence is enough on its own inside the dates (all required hashtags
    0.75, all required mentions 0.75, the tracking link 0.8; hashtags and mentions together
    0.9375), while a post without identifying evidence (no required hashtag, required mention
    or tracking link) tops out at ``1 - 0.9 * 0.5 * 0.7 = 0.685`` whatever its flags. Partial
    required tags need the flags (half the hashtags 0.375; with the paid flag and a disclosure
    0.7812). Outside the dates nothing reaches 0.7 (at most 0.2).

Disclosure (a compliance question, separate from membership)
    Every row also says whether the post is disclosed as paid content: ``disclosed`` is True
    when it carries a strong disclosure marker or the platform's paid-partnership label
    (``is_paid_partnership`` True; a boosted post is not thereby disclosed).
    ``disclosure_markers`` lists the strong markers found, as written in the data file and
    sorted, then ``"platform paid-partnership label"``; ``weak_disclosure_markers`` lists the
    weak ones (``#pr``, ``#collab``, ...: too ambiguous to disclose anything on their own).
    Disclosure belongs to the post, so it is the same for every campaign the post is checked
    against; a campaign post that is not disclosed is one the agency must chase.

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
    tags; words and phrases (``Anzeige``, ``paid partnership``) as plain whole words with any
    whitespace between them. The tracking link pattern is an RE2 regular expression
    (``links``: linear time, whatever the pattern and the caption) searched, ignoring case, in
    the caption as written.

Volume
    ``detect`` joins posts to rules on the folded author key, folds and tokenizes captions
    20,000 at a time (joined into one string, one regex pass each for tags and phrases), numbers
    the tokens any rule or marker looks for, and tests every (pair, rule tag) against the sorted
    ``post * vocabulary + token`` keys with one ``searchsorted``. Each tracking link pattern is
    compiled once and run over its own candidates' captions in one call (``batch``).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import pandas as pd

from shared.detection import batch
from shared.detection.batch import LINK_MATCHED, PAID_FLAG, PAID_LABEL, Bools, Floats
from shared.detection.links import link_found
from shared.detection.models import CampaignRule, Match, PostText
from shared.detection.rules import (
    OPTIONAL_HASHTAG,
    REQUIRED_HASHTAG,
    REQUIRED_MENTION,
    instant,
    prepare,
)
from shared.detection.text import creator_key, fold, lexicon

W_REQUIRED_HASHTAGS = 0.75
W_REQUIRED_MENTIONS = 0.75
W_TRACKING_LINK = 0.8
W_OPTIONAL_HASHTAG = 0.1
W_PAID_PARTNERSHIP = 0.5
W_DISCLOSURE = 0.3
OUTSIDE_DATES_FACTOR = 0.2
CONFIDENCE_DECIMALS = 4

NOT_ALLOCATED = "creator not allocated to this campaign"
INSIDE_DATES = "posted inside campaign dates"
OUTSIDE_DATES = "posted outside campaign dates"
DATE_UNKNOWN = "posting date unknown"


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


# --- One pair at a time -------------------------------------------------------------------


def detect_one(post: PostText, rule: CampaignRule) -> Match:
    """Score one post against one campaign (the reference for ``detect``)."""
    prepared = prepare(rule)
    if creator_key(post.platform, post.username) not in prepared.creators:
        return Match(post.post_key, rule.campaign_id, 0.0, [NOT_ALLOCATED], False)
    words = lexicon()
    tokens = set(words.tokens(fold(post.caption or "")))
    for entries, sigil in ((post.hashtags, "#"), (post.mentions, "@")):
        for entry in entries or ():
            tokens.update(words.entry_tokens(entry, sigil))

    hits = [tag for tag in prepared.tags if tag.token in tokens]
    kinds = [tag.kind for tag in hits]
    link = prepared.link is not None and link_found(prepared.link, post.caption or "")
    paid = post.is_paid_partnership is True
    markers = [words.markers[token] for token in tokens if token in words.markers]
    strong = sorted({marker.text for marker in markers if not marker.weak})
    weak = sorted({marker.text for marker in markers if marker.weak})
    moment = instant(post.posted_at)
    outside = moment is not None and not prepared.opens <= moment < prepared.closes

    confidence = _score(
        hashtags=_share(kinds.count(REQUIRED_HASHTAG), prepared.required_hashtags),
        mentions=_share(kinds.count(REQUIRED_MENTION), prepared.required_mentions),
        link=link,
        optional=OPTIONAL_HASHTAG in kinds,
        paid=paid,
        disclosed=bool(strong),
        outside=outside,
    )
    reasons = [tag.reason for tag in hits]
    reasons += [LINK_MATCHED] * link + [PAID_FLAG] * paid + [f"disclosure {m}" for m in strong]
    if prepared.has_dates:
        reasons.append(_date_reason(moment is None, outside))
    return Match(
        post.post_key,
        rule.campaign_id,
        confidence,
        reasons,
        confidence >= rule.min_match_confidence,
        disclosed=bool(strong) or paid,
        disclosure_markers=(*strong, *[PAID_LABEL] * paid),
        weak_disclosure_markers=tuple(weak),
    )


# --- Batches ------------------------------------------------------------------------------


def detect(posts: Sequence[PostText], rules: Sequence[CampaignRule]) -> pd.DataFrame:
    """Score every post against every campaign its author is allocated to.

    One row per (post, campaign) pair, in post order and then rule order, with the columns of
    ``COLUMNS``: the same values as ``detect_one`` gives each pair, computed with array
    operations (each post's text is folded and tokenized once).
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
    prepared = [prepare(rule) for rule in rules]
    pair_post, pair_rule = batch.candidate_pairs(posts, prepared)
    if not pair_post.size:
        return batch.empty_frame()
    first_of_post = np.r_[True, pair_post[1:] != pair_post[:-1]]  # pairs come in post order
    chosen = [posts[number] for number in pair_post[first_of_post].tolist()]
    pair_row = np.cumsum(first_of_post) - 1
    captions = [post.caption or "" for post in chosen]
    words = lexicon()
    vocabulary = batch.vocabulary(prepared, words)
    tokens = batch.token_keys(chosen, captions, words, vocabulary)

    hit_pair, hit_tag = batch.tag_hits(pair_row, pair_rule, tokens, vocabulary)
    hit_kind = vocabulary.tag_kind[hit_tag]
    pairs = pair_rule.size

    def share(kind: int, required: batch.Ints) -> Floats:
        hits = np.bincount(hit_pair[hit_kind == kind], minlength=pairs)
        return np.divide(hits, required, out=np.zeros(pairs), where=required > 0)

    moments = [instant(post.posted_at) for post in chosen]
    known = np.fromiter((m is not None for m in moments), bool, len(moments))[pair_row]
    moment = np.fromiter((m or 0 for m in moments), np.int64, len(moments))[pair_row]
    opens = batch.per_rule(prepared, "opens")[pair_rule]
    closes = batch.per_rule(prepared, "closes")[pair_rule]
    outside = known & ((moment < opens) | (moment >= closes))
    paid = np.fromiter((post.is_paid_partnership is True for post in chosen), bool, len(chosen))
    disclosure = batch.disclosure(tokens, vocabulary, paid)
    strong = np.zeros(len(chosen), dtype=bool)
    strong[list(disclosure.strong)] = True
    link = batch.link_matches(prepared, pair_rule, pair_row, np.array(captions, dtype=object))
    optional = np.bincount(hit_pair[hit_kind == OPTIONAL_HASHTAG], minlength=pairs) > 0

    confidence = _scores(
        hashtags=share(REQUIRED_HASHTAG, batch.per_rule(prepared, "required_hashtags")[pair_rule]),
        mentions=share(REQUIRED_MENTION, batch.per_rule(prepared, "required_mentions")[pair_rule]),
        link=link,
        optional=optional,
        paid=paid[pair_row],
        disclosed=strong[pair_row],
        outside=outside,
    )
    has_dates = np.array([rule.has_dates for rule in prepared], dtype=bool)[pair_rule]
    date_code = np.where(has_dates, np.where(known, 1 + outside, 3), 0)
    date_text = np.array(["", INSIDE_DATES, OUTSIDE_DATES, DATE_UNKNOWN], dtype=object)
    reasons = batch.reasons(
        hit_pair=hit_pair,
        hit_reason=vocabulary.tag_reason[hit_tag].tolist(),
        link=link,
        flagged=(paid | strong)[pair_row],
        pair_row=pair_row,
        paid=paid,
        disclosures=disclosure.strong,
        date_reason=date_text[date_code].tolist(),
    )
    minimum = np.array([rule.rule.min_match_confidence for rule in prepared])[pair_rule]
    return batch.frame(
        post_keys=np.array([post.post_key for post in chosen], dtype=object)[pair_row],
        campaign_ids=np.array([r.rule.campaign_id for r in prepared], dtype=object)[pair_rule],
        confidence=confidence,
        reasons=reasons,
        is_content=confidence >= minimum,
        disclosed=disclosure.disclosed[pair_row],
        markers=disclosure.markers[pair_row],
        weak=disclosure.weak[pair_row],
    )
