"""VADER's scores mapped as vader_sentiment.py documents: compound is the score, the +-0.05
thresholds label it, and both polarities at a fifth or more of the text make it mixed."""

from __future__ import annotations

import pytest

from shared.adapters.vader_sentiment import MODEL, VaderSentiment, label_of


@pytest.mark.parametrize(
    ("compound", "pos", "neg", "label"),
    [
        (0.05, 0.1, 0.0, "positive"),
        (0.049, 0.1, 0.0, "neutral"),
        (-0.049, 0.0, 0.1, "neutral"),
        (-0.05, 0.0, 0.1, "negative"),
        (0.6, 0.2, 0.2, "mixed"),
        (-0.6, 0.19, 0.4, "negative"),
    ],
)
def test_labels_follow_the_standard_thresholds(
    compound: float, pos: float, neg: float, label: str
) -> None:
    assert label_of(compound, pos, neg) == label


def test_a_result_names_engine_and_model_and_reports_no_toxicity() -> None:
    result = VaderSentiment().score("I love this brand, the service was excellent!")
    assert (result.engine, result.model, result.status) == ("vader", MODEL, "scored")
    assert result.score is not None
    assert result.score > 0.5
    assert result.label == "positive"
    assert result.toxicity is None
    assert result.entities == ()
    assert "love" in result.keywords


def test_scoring_is_deterministic() -> None:
    engine = VaderSentiment()
    text = "Great shoes but awful, slow delivery"
    assert engine.score(text) == engine.score(text)
