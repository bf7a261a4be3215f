"""The experiments results engine: pure, vectorised statistics at gbstats 0.8.0's formulas."""

from shared.experiments.stats.analyze import analyze
from shared.experiments.stats.power import SampleSize, required_sample_size
from shared.experiments.stats.settings import REASONS, AnalysisSettings
from shared.experiments.stats.srm import srm_p_values
from shared.experiments.stats.verdict import VERDICT_CODES, verdicts

__all__ = [
    "REASONS",
    "VERDICT_CODES",
    "AnalysisSettings",
    "SampleSize",
    "analyze",
    "required_sample_size",
    "srm_p_values",
    "verdicts",
]
