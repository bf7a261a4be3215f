"""The offline sentiment engine: VADER (vaderSentiment 3.3.2, MIT; its lexicon ships inside the
package, so nothing is downloaded at runtime). Used when no Anthropic API key is set.

Mapping, from VADER's own documentation: `compound` (normalised to -1..1) is the score; the
label is positive at compound >= 0.05, negative at <= -0.05, neutral between (VADER's standard
thresholds). It is mixed instead when the positive and the negative share of the text are both
at least 0.2: `pos` and `neg` are the proportions of the text that carry each polarity, so
both at a fifth or more means the text clearly says both, which a compound near either end
hides (a glowing sentence and a furious one can sum to a mild compound). VADER reports no
entities and no toxicity (None, not 0); its keywords are the text's words whose lexicon
valence is strong (|valence| >= 1.5 on VADER's -4..4 scale).
"""

from __future__ import annotations

import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from shared.ports import SentimentLabel, SentimentResult

ENGINE = "vader"
MODEL = "vaderSentiment-3.3.2"
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05
MIXED_SHARE = 0.2
STRONG_VALENCE = 1.5
MAX_KEYWORDS = 10
_WORD = re.compile(r"[\w']+")


def label_of(compound: float, pos: float, neg: float) -> SentimentLabel:
    if pos >= MIXED_SHARE and neg >= MIXED_SHARE:
        return "mixed"
    if compound >= POSITIVE_AT:
        return "positive"
    if compound <= NEGATIVE_AT:
        return "negative"
    return "neutral"


class VaderSentiment:
    """The SentimentEngine port; deterministic and local (no batches: it scores at once)."""

    def __init__(self) -> None:
        self._analyzer = SentimentIntensityAnalyzer()

    @property
    def engine(self) -> str:
        return ENGINE

    @property
    def model(self) -> str:
        return MODEL

    def score(self, text: str) -> SentimentResult:
        polarity = self._analyzer.polarity_scores(text)
        compound, pos, neg = polarity["compound"], polarity["pos"], polarity["neg"]
        return SentimentResult(
            engine=ENGINE,
            model=MODEL,
            status="scored",
            score=float(compound),
            label=label_of(compound, pos, neg),
            keywords=self._keywords(text),
        )

    def _keywords(self, text: str) -> tuple[str, ...]:
        lexicon: dict[str, float] = self._analyzer.lexicon
        found: list[str] = []
        for word in _WORD.findall(text.lower()):
            if abs(lexicon.get(word, 0.0)) >= STRONG_VALENCE and word not in found:
                found.append(word)
        return tuple(found[:MAX_KEYWORDS])
