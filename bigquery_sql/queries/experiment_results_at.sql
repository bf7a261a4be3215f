-- An experiment's stored run at or before @at (the latest such run): its rows, one per metric
-- and variant. @since_date (the experiment's start) bounds the partitions scanned.
SELECT *
FROM reachops.experiment_results
WHERE DATE(run_at) BETWEEN @since_date AND DATE(@at)
  AND run_at <= @at
  AND org_id = @org_id
  AND experiment_id = @experiment_id
QUALIFY run_at = MAX(run_at) OVER ()
ORDER BY metric_id, variant_index;
