-- One page of a segment's members (its latest calculation), by person_id after @after_id;
-- @rfm_segment (NULL for all) keeps one RFM name. shared/segments/service.py.
SELECT
  person_id, computed_at, rfm_currency, rfm_last_purchase_at, rfm_purchases,
  rfm_monetary_micros, rfm_recency, rfm_frequency, rfm_monetary, rfm_segment
FROM reachops.segment_members
WHERE org_id = @org_id
  AND segment_id = @segment_id
  AND computed_at = (
    SELECT MAX(computed_at) FROM reachops.segment_members
    WHERE org_id = @org_id AND segment_id = @segment_id
  )
  AND (CAST(@rfm_segment AS STRING) IS NULL OR rfm_segment = @rfm_segment)
  AND (CAST(@after_id AS STRING) IS NULL OR person_id > @after_id)
ORDER BY person_id
LIMIT @limit
