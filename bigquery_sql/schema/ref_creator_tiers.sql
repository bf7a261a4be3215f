-- Creator size tiers by followers, one row per tier: min_followers included, max_followers
-- excluded (NULL for the largest tier). Reference data, not measurements: its rows are
-- shared/metrics/definitions.yaml, seeded by the warehouse adapters and by terraform, and
-- replaced whole when that file changes. Too small to partition or cluster.
CREATE TABLE IF NOT EXISTS reachops.ref_creator_tiers (
  tier STRING NOT NULL,
  min_followers INT64 NOT NULL,
  max_followers INT64
)
OPTIONS (description = 'Creator tiers (seeded from shared/metrics/definitions.yaml): min_followers <= followers < max_followers.');
