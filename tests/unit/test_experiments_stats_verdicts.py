"""Plain verdicts per metric: each code, the figures behind it, and their precedence."""

from __future__ import annotations

from typing import Any

import pandas as pd

from shared.experiments.stats import (
    VERDICT_CODES,
    AnalysisSettings,
    analyze,
    srm_p_values,
    verdicts,
)

SETTINGS = AnalysisSettings()


def moments(metric: str, role: str, counts: list[tuple[int, int]]) -> list[dict[str, Any]]:
    return [
        {
            "experiment_id": "e",
            "metric_id": metric,
            "metric_kind": "binomial",
            "metric_role": role,
            "variant_id": ["control", "b", "c"][i],
            "variant_name": ["Control", "B", "C"][i],
            "variant_index": i,
            "users": n,
            "main_sum": k,
            "main_sum_squares": k,
        }
        for i, (n, k) in enumerate(counts)
    ]


def verdict_of(
    metric: str,
    role: str,
    counts: list[tuple[int, int]],
    direction: str | None = None,
    settings: AnalysisSettings = SETTINGS,
) -> pd.Series:
    results = analyze(pd.DataFrame(moments(metric, role, counts)), settings)
    metrics = pd.DataFrame(
        [
            {
                "experiment_id": "e",
                "metric_id": metric,
                "role": role,
                "direction": direction,
                "mde": 0.05,
                "metric_name": "conversion rate",
            }
        ]
    )
    out = verdicts(results, metrics, settings)
    assert len(out) == 1
    assert out["verdict_code"].iloc[0] in VERDICT_CODES
    return out.iloc[0]


def test_a_significantly_better_variant_wins() -> None:
    row = verdict_of("cr", "goal", [(10_000, 500), (10_000, 520), (10_000, 650)])
    assert row["verdict_code"] == "variant_wins"
    assert row["verdict_variant_id"] == "c"
    assert row["verdict"].startswith("variant C wins on conversion rate (+30.0%")
    assert row["lift"] > 0


def test_control_wins_when_every_variant_is_worse() -> None:
    row = verdict_of("cr", "goal", [(10_000, 650), (10_000, 500), (10_000, 480)])
    assert row["verdict_code"] == "control_wins"
    assert row["verdict_variant_id"] == "b"


def test_inconclusive_says_how_many_more_visitors() -> None:
    row = verdict_of("cr", "goal", [(1_000, 50), (1_000, 52)])
    assert row["verdict_code"] == "inconclusive"
    assert row["additional_users"] > 0
    assert f"need about {row['additional_users']:,} more visitors" in row["verdict"]
    assert row["users"] == 2_000


def test_inconclusive_with_enough_users_says_no_lift_of_the_mde() -> None:
    row = verdict_of("cr", "goal", [(2_000_000, 100_000), (2_000_000, 100_100)])
    assert row["verdict_code"] == "inconclusive"
    assert row["additional_users"] == 0
    assert "no lift of 5% or more" in row["verdict"]


def test_a_guardrail_moving_in_its_bad_direction_says_stop() -> None:
    row = verdict_of("bounce", "guardrail", [(10_000, 4_000), (10_000, 4_400)], "increase_is_bad")
    assert row["verdict_code"] == "guardrail_harmed"
    assert row["verdict"].startswith("stop: guardrail metric conversion rate harmed by variant B")
    good = verdict_of("bounce", "guardrail", [(10_000, 4_000), (10_000, 4_400)], "decrease_is_bad")
    assert good["verdict_code"] == "inconclusive"
    assert good["verdict"].startswith("no harm detected")


def test_a_one_sided_experiment_still_sees_a_guardrail_harmed_by_a_decrease() -> None:
    """One-sided tests ask only "is the variant better?"; a guardrail is tested both ways."""
    one_sided = AnalysisSettings(two_sided=False)
    counts = [(10_000, 4_400), (10_000, 4_000)]
    row = verdict_of("engaged", "guardrail", counts, "decrease_is_bad", one_sided)
    assert row["verdict_code"] == "guardrail_harmed"
    goal = analyze(pd.DataFrame(moments("cr", "goal", counts)), one_sided)
    assert goal["lift_ci_high"].iloc[0] == float("inf")  # the goal keeps its one-sided test


def test_no_data_names_the_reason() -> None:
    row = verdict_of("cr", "goal", [(30, 3), (30, 4)])
    assert row["verdict_code"] == "no_data"
    assert row["verdict"] == "no data on conversion rate: too few users"


def test_a_metric_without_any_moments_has_no_data() -> None:
    results = analyze(pd.DataFrame(moments("cr", "goal", [(10_000, 500), (10_000, 650)])))
    metrics = pd.DataFrame(
        [
            {"experiment_id": "e", "metric_id": m, "role": r, "direction": None, "mde": 0.05}
            for m, r in (("cr", "goal"), ("aov", "secondary"))
        ]
    )
    out = verdicts(results, metrics).set_index("metric_id")
    assert out.loc["aov", "verdict_code"] == "no_data"
    assert out.loc["aov", "verdict"] == "no data on aov"


def test_sample_ratio_mismatch_makes_every_verdict_untrustworthy() -> None:
    frame = pd.DataFrame(moments("cr", "goal", [(10_000, 500), (11_000, 700)]))
    results = analyze(frame, SETTINGS)
    split = frame[["experiment_id", "variant_id", "users"]].assign(weight=1.0)
    srm = srm_p_values(split, SETTINGS)
    metrics = pd.DataFrame(
        [{"experiment_id": "e", "metric_id": "cr", "role": "goal", "direction": None, "mde": 0.05}]
    )
    row = verdicts(results, metrics, SETTINGS, srm).iloc[0]
    assert row["verdict_code"] == "untrustworthy"
    assert row["srm_p_value"] < 0.001
    assert "does not match the weights" in row["verdict"]
