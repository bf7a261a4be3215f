-- Stored experiment results (shared/experiments/results.py), one row per hourly run (run_at,
-- the hour it is for), experiment, metric and variant; the control's row (variant_index 0)
-- carries its counts and mean, every comparison figure NULL. A rerun of an hour replaces that
-- hour's rows, so each hour is one run and a result's history is one row per hour. Figures are
-- NULL with `reason` when they cannot be computed (empty arm, zero variance, too few users).
-- mean: conversion rate (binomial), value per visitor in `currency` (mean), or the ratio.
-- srm_*: the experiment's sample-ratio test against its weights, the same on each of its rows;
-- verdict_*: the metric's verdict, the same on each of its variants' rows (details as JSON).
-- The view reachops.experiment_results_latest keeps each experiment's latest run.
CREATE TABLE IF NOT EXISTS reachops.experiment_results (
  org_id STRING NOT NULL,
  experiment_id STRING NOT NULL,
  run_at TIMESTAMP NOT NULL,
  metric_id STRING NOT NULL,
  variant_id STRING NOT NULL,
  variant_index INT64 NOT NULL,
  computed_at TIMESTAMP NOT NULL,
  role STRING NOT NULL,
  kind STRING NOT NULL,
  currency STRING,
  users INT64 NOT NULL,
  multiple_exposures INT64 NOT NULL,
  expected_share FLOAT64 NOT NULL,
  mean FLOAT64,
  srm_p_value FLOAT64,
  srm_flagged BOOL NOT NULL,
  lift FLOAT64,
  lift_ci_low FLOAT64,
  lift_ci_high FLOAT64,
  p_value FLOAT64,
  p_value_adjusted FLOAT64,
  significant BOOL,
  chance_to_win FLOAT64,
  risk_control FLOAT64,
  risk_variant FLOAT64,
  credible_low FLOAT64,
  credible_high FLOAT64,
  sequential_ci_low FLOAT64,
  sequential_ci_high FLOAT64,
  cuped_applied BOOL,
  theta FLOAT64,
  reason STRING,
  verdict_code STRING NOT NULL,
  verdict_text STRING NOT NULL,
  verdict_details_json STRING
)
PARTITION BY DATE(run_at)
CLUSTER BY org_id, experiment_id
OPTIONS (description = 'Hourly experiment results per run, experiment, metric and variant; NULL figures carry a reason.');
