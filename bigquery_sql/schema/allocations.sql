-- Current state of each creator allocation (MERGEd on org_id, allocation_id).
-- Not partitioned: one small row per allocation, MERGEd on a key with no date (a partition by
-- updated_at would move a row at every write and keep every MERGE from pruning); clustered by
-- org_id, which prunes the blocks a MERGE or a reader scans.
CREATE TABLE IF NOT EXISTS reachops.allocations (
  org_id STRING NOT NULL,
  campaign_id STRING NOT NULL,
  allocation_id STRING NOT NULL,
  creator_id STRING NOT NULL,
  platform STRING NOT NULL,
  status STRING NOT NULL,
  fee_minor INT64 NOT NULL,
  currency STRING NOT NULL,
  updated_at TIMESTAMP NOT NULL
)
CLUSTER BY org_id, campaign_id
OPTIONS (description = 'fee_minor is the agreed fee in minor units of currency (the allocation spend).');
