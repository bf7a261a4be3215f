-- Each experiment's latest stored run (reachops.experiment_results): its rows of the greatest
-- run_at, one per metric and variant. Filter on run_at for an earlier state of the table.
CREATE OR REPLACE VIEW reachops.experiment_results_latest AS
SELECT *
FROM reachops.experiment_results
QUALIFY run_at = MAX(run_at) OVER (PARTITION BY org_id, experiment_id);
