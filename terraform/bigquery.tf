locals {
  # One entry per DDL file: bigquery_sql/schema/<name>.sql and bigquery_sql/views/<name>.sql.
  bq_tables = ["campaign_events", "profile_snapshots", "post_snapshots", "post_matches", "allocations", "allocation_metrics", "campaign_metrics", "ad_insights_daily", "ad_insights_source"]
  bq_views  = ["campaign_state_periods", "allocation_performance", "campaign_performance", "creator_performance", "paid_kpis_daily", "paid_kpis_campaign_daily", "paid_kpis_platform_daily", "paid_source_rejects"]
}

resource "google_bigquery_dataset" "reachops" {
  dataset_id                 = "reachops"
  friendly_name              = "ReachOps"
  description                = "ReachOps metrics (append-mostly) and the analysts' views."
  location                   = var.bigquery_location
  delete_contents_on_destroy = false
  labels                     = local.labels

  depends_on = [google_project_service.service]
}

# Tables come from the very DDL the local warehouse runs (PARTITION BY / CLUSTER BY included).
# The job id carries a short hash of the file, so a changed file runs again.
resource "google_bigquery_job" "table" {
  for_each = toset(local.bq_tables)
  job_id   = "reachops_schema_${each.key}_${substr(sha256(file("${path.module}/../bigquery_sql/schema/${each.key}.sql")), 0, 12)}"
  location = google_bigquery_dataset.reachops.location
  labels   = local.labels

  query {
    query              = file("${path.module}/../bigquery_sql/schema/${each.key}.sql")
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }
}

resource "google_bigquery_job" "view" {
  for_each = toset(local.bq_views)
  job_id   = "reachops_view_${each.key}_${substr(sha256(file("${path.module}/../bigquery_sql/views/${each.key}.sql")), 0, 12)}"
  location = google_bigquery_dataset.reachops.location
  labels   = local.labels

  query {
    query              = file("${path.module}/../bigquery_sql/views/${each.key}.sql")
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_job.table]
}
