-- The data-driven model's removal effect of each channel (first-order Markov chain, Anderl et
-- al. 2016): 1 - P(conversion without the channel) / P(conversion), and that effect normalised
-- over the channels (share), from the org's paths of conversion days from_date..to_date. One row
-- per (org_id, channel), replaced on each run of the attribution_resolve job.
-- Not partitioned: a few rows per organization (one per channel), replaced on each run on
-- (org_id, channel), which holds no date; clustered by org_id.
CREATE TABLE IF NOT EXISTS reachops.attribution_removal_effects (
  org_id STRING NOT NULL,
  channel STRING NOT NULL,
  removal_effect FLOAT64 NOT NULL,
  share FLOAT64 NOT NULL,
  from_date DATE NOT NULL,
  to_date DATE NOT NULL,
  computed_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id
OPTIONS (description = 'Markov chain removal effect and normalised share per org and channel (data-driven attribution).');
