-- Each person's current score of each type: the row of the latest period in
-- reachops.customer_scores (older periods stay in the table as history). expires_at in the
-- past means the scheduled run that replaces it has not happened yet.
CREATE OR REPLACE VIEW reachops.customer_scores_current AS
SELECT *
FROM reachops.customer_scores
QUALIFY period_start = MAX(period_start) OVER (PARTITION BY org_id, score_type, person_id);
