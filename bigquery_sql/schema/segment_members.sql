-- Members of each segment (shared/segments/service.py), one row per (org_id, segment_id,
-- person_id) of the latest calculation: a calculation inserts its rows with its computed_at,
-- then deletes the segment's older rows, and readers take the segment's latest computed_at.
--
-- * computed_at: the evaluation time (as_of) of the calculation that produced the row.
-- * rfm_*: RFM segments only (NULL for rule segments): the person's purchases in rfm_currency
--   within the segment's lookback (last_purchase_at, purchases, monetary_micros), their 1..5
--   quintile scores (5 = most recent / most / largest) and the named segment
--   (shared/segments/rfm_segments.yaml).
-- Not partitioned: rows are replaced per segment by its own calculation; clustering by
-- (org_id, segment_id) is what the writes and the members pages read.
CREATE TABLE IF NOT EXISTS reachops.segment_members (
  org_id STRING NOT NULL,
  segment_id STRING NOT NULL,
  person_id STRING NOT NULL,
  computed_at TIMESTAMP NOT NULL,
  rfm_currency STRING,
  rfm_last_purchase_at TIMESTAMP,
  rfm_purchases INT64,
  rfm_monetary_micros INT64,
  rfm_recency INT64,
  rfm_frequency INT64,
  rfm_monetary INT64,
  rfm_segment STRING
)
CLUSTER BY org_id, segment_id
OPTIONS (description = 'Members of the latest calculation of each segment; RFM scores for RFM segments.');
