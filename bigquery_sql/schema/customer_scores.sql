-- Per-person scores (shared/scores/): one row per organization, score type, period and person.
-- score_type: 'nps' (the person's latest rating on 0-10, daily), 'engagement' (recency-decayed
-- weighted events, daily), 'clv' (discounted expected spend in micros of `currency`, daily) or
-- 'churn_risk' (0-100, weekly). period: the run's period key ('2026-12-02' for a day,
-- '2026-W49' for an ISO week); period_start: its first day (the partition). A rerun of a period
-- replaces its rows (MERGE on the whole key). breakdown_json: the components behind the value
-- (events and points, the fit's figures, churn reasons). expires_at: when the next run of the
-- type is due and the value is stale.
CREATE TABLE IF NOT EXISTS reachops.customer_scores (
  org_id STRING NOT NULL,
  person_id STRING NOT NULL,
  score_type STRING NOT NULL,
  period STRING NOT NULL,
  period_start DATE NOT NULL,
  value FLOAT64 NOT NULL,
  currency STRING,
  breakdown_json STRING NOT NULL,
  computed_at TIMESTAMP NOT NULL,
  expires_at TIMESTAMP NOT NULL
)
PARTITION BY period_start
CLUSTER BY org_id, score_type, person_id
OPTIONS (description = 'Per-person NPS, engagement, CLV and churn-risk scores per period, with their breakdown, computed_at and expires_at.');
