-- The default cost-per-engagement rating thresholds, one row, in major units of a currency:
-- Strong below strong_below, Average up to underperforming_above inclusive, Underperforming
-- above. Seeded from shared/metrics/definitions.yaml; organizations' own thresholds live in
-- their settings and apply in the API only.
CREATE TABLE IF NOT EXISTS reachops.ref_cpe_thresholds (
  strong_below FLOAT64 NOT NULL,
  underperforming_above FLOAT64 NOT NULL
)
OPTIONS (description = 'Default CPE thresholds (seeded from shared/metrics/definitions.yaml), major units.');
