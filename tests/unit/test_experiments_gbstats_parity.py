"""ReachOps's engine agrees with GrowthBook's gbstats 0.8.0 to 1e-6 on the same inputs.

The reference figures were computed by gbstats itself in its own environment
(scripts/gbstats_fixtures.py under scripts/gbstats_env.sh) and kept with their inputs in
tests/fixtures/gbstats/. Every case of every file is checked; the cases of one file and one
settings run through `analyze` together, as the hourly job runs many experiments at once.
Where gbstats reports an error (and placeholder figures) the engine must give a reason instead.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from shared.experiments.stats import AnalysisSettings, analyze, srm_p_values

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "gbstats"
FILES = sorted(FIXTURES.glob("*.json"))
TOLERANCE = 1e-6
Case = dict[str, Any]


def _cases(name: str) -> list[Case]:
    cases: list[Case] = json.loads((FIXTURES / name).read_text())["cases"]
    return cases


def _number(value: Any) -> float:
    return float(value) if value is not None else math.nan


def _close(ours: float, theirs: Any) -> bool:
    """Within 1e-6, relative for figures above 1 (a p-value compares absolutely)."""
    expected = _number(theirs)
    if math.isnan(expected) or math.isinf(expected):
        return ours == expected or (math.isnan(ours) and math.isnan(expected))
    return abs(ours - expected) <= TOLERANCE * max(1.0, abs(expected))


def _moments(cases: list[Case]) -> pd.DataFrame:
    rows = []
    for index, case in enumerate(cases):
        for variant_index, arm in enumerate(("control", "variant")):
            rows.append(
                {
                    "experiment_id": f"e{index}",
                    "metric_id": "m",
                    "variant_id": arm,
                    "variant_index": variant_index,
                    "metric_kind": case["inputs"]["metric_kind"],
                    **case["inputs"][arm],
                }
            )
    return pd.DataFrame(rows)


def _analysed(cases: list[Case], settings_of: Any) -> list[tuple[Case, pd.Series]]:
    """Each case with its result row, the cases grouped by the settings they ran under."""
    groups: dict[AnalysisSettings, list[Case]] = {}
    for case in cases:
        groups.setdefault(settings_of(case["settings"]), []).append(case)
    paired = []
    for settings, group in groups.items():
        result = analyze(_moments(group), settings).set_index("experiment_id")
        rows = {str(key): row for key, row in result.iterrows()}
        paired += [(case, rows[f"e{i}"]) for i, case in enumerate(group)]
    return paired


def _check(paired: list[tuple[Case, pd.Series]], figures: Any) -> list[str]:
    """Mismatches as readable lines; `figures(case, row)` yields (name, ours, theirs)."""
    problems = []
    for case, row in paired:
        label = f"{case['id']} {case['settings']}"
        if case["expected"]["error_message"] is not None:
            if row["reason"] is None:
                problems.append(f"{label}: gbstats {case['expected']['error_message']}, no reason")
            continue
        if row["reason"] is not None:
            problems.append(f"{label}: unexpected reason {row['reason']}")
            continue
        for name, ours, theirs in figures(case["expected"], row):
            if not _close(float(ours), theirs):
                problems.append(f"{label}: {name} {ours!r} != gbstats {theirs!r}")
    return problems


def _common(expected: Case, row: pd.Series) -> list[tuple[str, Any, Any]]:
    """Figures every gbstats test reports; a Bayesian test's `uplift` is its posterior, so the
    lift and its standard error come from the t-tests only."""
    checks = [
        ("cuped_applied", float(row["cuped_applied"]), float(expected["cuped_applied"])),
        ("control_mean", row["control_mean"], expected["control_stat"]["unadjusted_mean"]),
        ("variant_mean", row["variant_mean"], expected["variant_stat"]["unadjusted_mean"]),
        ("theta", row["theta"], expected["theta"]),
    ]
    if "p_value" in expected:
        checks += [
            ("lift", row["lift"], expected["point_estimate"]),
            ("lift_stddev", row["lift_stddev"], expected["uplift"]["stddev"]),
        ]
    return checks


def _plain(alpha: float, **fields: Any) -> AnalysisSettings:
    return AnalysisSettings(alpha=alpha, min_users=1, correction="none", **fields)


def test_fixtures_are_present() -> None:
    assert FILES, f"no gbstats fixture in {FIXTURES}: run scripts/gbstats_env.sh"
    for path in FILES:
        data = json.loads(path.read_text())
        assert data["gbstats_version"] == "0.8.0", path.name
        assert data["cases"], path.name


def test_two_sided_t_test_matches() -> None:
    paired = _analysed(_cases("frequentist_two_sided.json"), lambda s: _plain(s["alpha"]))
    problems = _check(
        paired,
        lambda e, r: [
            *_common(e, r),
            ("lift_ci_low", r["lift_ci_low"], e["ci"][0]),
            ("lift_ci_high", r["lift_ci_high"], e["ci"][1]),
            ("p_value", r["p_value"], e["p_value"]),
        ],
    )
    assert not problems, "\n".join(problems)


def test_one_sided_t_tests_match() -> None:
    greater = _analysed(
        _cases("frequentist_one_sided_greater.json"), lambda s: _plain(s["alpha"], two_sided=False)
    )
    problems = _check(
        greater,
        lambda e, r: [
            *_common(e, r),
            ("lift_ci_low", r["lift_ci_low"], e["ci"][0]),
            ("lift_ci_high", r["lift_ci_high"], e["ci"][1]),
            ("p_value", r["p_value"], e["p_value"]),
        ],
    )
    lesser = _analysed(
        _cases("frequentist_one_sided_lesser.json"), lambda s: _plain(s["alpha"], two_sided=False)
    )
    problems += _check(
        lesser,
        lambda e, r: [
            *_common(e, r),
            ("1 - p_value", 1 - r["p_value"], e["p_value"]),
            ("lesser bound", r["lift_ci_low"], e["ci"][1]),
        ],
    )
    assert not problems, "\n".join(problems)


def test_sequential_confidence_sequence_matches() -> None:
    paired = _analysed(
        _cases("sequential_two_sided.json"),
        lambda s: _plain(
            s["alpha"], sequential=True, sequential_tuning=s["sequential_tuning_parameter"]
        ),
    )
    problems = _check(
        paired,
        lambda e, r: [
            *_common(e, r),
            ("sequential_ci_low", r["sequential_ci_low"], e["ci"][0]),
            ("sequential_ci_high", r["sequential_ci_high"], e["ci"][1]),
            ("sequential_p_value", r["sequential_p_value"], e["p_value"]),
        ],
    )
    assert not problems, "\n".join(problems)


def _bayesian_figures(expected: Case, row: pd.Series) -> list[tuple[str, Any, Any]]:
    """gbstats's `inverse` (lower is better) is the same posterior read the other way."""
    chance, risk = row["chance_to_win"], (row["risk_control"], row["risk_variant"])
    if expected.get("_inverse"):
        chance, risk = 1 - chance, risk[::-1]
    return [
        *_common(expected, row),
        ("chance_to_win", chance, expected["chance_to_win"]),
        ("risk_control", risk[0], expected["risk"][0]),
        ("risk_variant", risk[1], expected["risk"][1]),
        ("posterior mean", (row["credible_low"] + row["credible_high"]) / 2, expected["expected"]),
        ("credible_low", row["credible_low"], expected["ci"][0]),
        ("credible_high", row["credible_high"], expected["ci"][1]),
    ]


def test_bayesian_effect_test_matches() -> None:
    cases = _cases("bayesian_effect.json")
    for case in cases:
        case["expected"]["_inverse"] = case["settings"]["inverse"]
    paired = _analysed(
        cases,
        lambda s: _plain(
            s["alpha"], prior=(s["prior_mean"], s["prior_variance"]) if s["proper"] else None
        ),
    )
    problems = _check(paired, _bayesian_figures)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("case", _cases("srm.json"), ids=lambda c: str(c["id"]))
def test_srm_matches(case: Case) -> None:
    users, weights = case["inputs"]["users"], case["inputs"]["weights"]
    frame = pd.DataFrame(
        {
            "experiment_id": "e",
            "variant_id": [f"v{i}" for i in range(len(users))],
            "users": users,
            "weight": weights,
        }
    )
    result = srm_p_values(frame, _plain(0.05, srm_threshold=case["settings"]["srm_threshold"]))
    assert _close(float(result["srm_p_value"].iloc[0]), case["expected"]["srm_p_value"])
