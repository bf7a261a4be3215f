locals {
  # One entry per DDL file: bigquery_sql/functions/<name>.sql (persistent SQL functions the views
  # and queries call, e.g. the paid KPIs), bigquery_sql/schema/<name>.sql and views/<name>.sql.
  bq_functions = ["paid_kpis"]
  bq_tables    = ["campaign_events", "profile_snapshots", "post_snapshots", "post_matches", "allocations", "allocation_metrics", "campaign_metrics", "ad_insights_daily", "ad_conversions_daily", "ad_insights_range", "ad_insights_source", "ad_breakdowns_daily", "ad_objects", "ref_creator_tiers", "ref_currency_minor_units", "ref_cpe_thresholds", "track_events", "conversion_goals", "goal_conditions", "forecasts", "session_resolutions", "attribution_credits", "attribution_removal_effects", "experiment_results", "ref_journey_events", "people", "person_visitors", "person_social_handles", "feedback", "form_responses", "customer_scores", "sentiment_scores", "segment_members", "post_comments"]
  # BigQuery checks a view's sources (tables, views, functions) when it is created, so bq_views
  # lists every view after the views it reads; tests/unit/test_terraform_declares_code.py checks
  # the order against the SQL (the DuckDB warehouse orders by the same graph).
  bq_views = ["campaign_state_periods", "allocation_performance", "campaign_performance", "creator_performance", "paid_answering_rows", "paid_conversion_windows", "paid_objects_current", "paid_kpis_daily", "paid_kpis_campaign_daily", "paid_kpis_platform_daily", "paid_source_rejects", "paid_breakdowns_daily", "track_events_unique", "journey_events", "goal_conversions", "conversions", "attribution_touches", "attribution_paths", "attributed_conversions_daily", "roi_spend_daily", "forecast_actuals_daily", "experiment_results_latest", "customer_scores_current", "sentiment_sources", "creator_community_health"]

  # Reference tables (bigquery_sql/schema/ref_*.sql) hold the definitions Python reads too; their
  # rows come from the same YAML files (shared/metrics/definitions.py reads them the same way).
  metric_definitions = yamldecode(file("${path.module}/../shared/metrics/definitions.yaml"))
  iso4217            = yamldecode(file("${path.module}/../shared/metrics/iso4217_minor_units.yaml"))
  creator_tiers      = local.metric_definitions.creator_tiers
  journey_map        = yamldecode(file("${path.module}/../shared/people/journey_map.yaml"))
  bq_reference_rows = {
    ref_creator_tiers = {
      columns = "tier, min_followers, max_followers"
      rows = [
        for i, t in local.creator_tiers : format(
          "('%s', %d, %s)", t.tier, t.min_followers,
          i + 1 < length(local.creator_tiers) ? tostring(local.creator_tiers[i + 1].min_followers) : "NULL"
        )
      ]
    }
    ref_currency_minor_units = {
      columns = "currency, minor_units"
      rows    = [for code, units in local.iso4217.minor_units : format("('%s', %d)", code, units)]
    }
    ref_cpe_thresholds = {
      columns = "strong_below, underperforming_above"
      rows = [format(
        "(%s, %s)", local.metric_definitions.cpe_thresholds.strong_below,
        local.metric_definitions.cpe_thresholds.underperforming_above
      )]
    }
    # One row per source with its default channel, and per channel a feedback or form
    # response may name (shared/people/journey_map.py, JourneyMap.rows, builds the same rows).
    ref_journey_events = {
      columns = "origin, track_source, event_type, record_channel, event, stage, stage_rank, channel"
      rows = flatten([
        for s in local.journey_map.sources : [
          for named, channel in merge(
            { "" = local.journey_map.events[s.event].channel },
            contains(local.journey_map.record_channel_origins, s.origin) ? local.journey_map.record_channels : {}
            ) : format(
            "('%s', %s, %s, %s, '%s', '%s', %d, '%s')", s.origin,
            try("'${s.track_source}'", "NULL"), try("'${s.event_type}'", "NULL"),
            named == "" ? "NULL" : "'${named}'", s.event,
            local.journey_map.events[s.event].stage,
            index(local.journey_map.stages, local.journey_map.events[s.event].stage) + 1,
            channel
          )
        ]
      ])
    }
  }
  bq_reference_seeds = {
    for name, table in local.bq_reference_rows : name => join("\n", [
      "BEGIN TRANSACTION;",
      "DELETE FROM reachops.${name} WHERE TRUE;",
      "INSERT INTO reachops.${name} (${table.columns}) VALUES ${join(", ", table.rows)};",
      "COMMIT TRANSACTION;",
    ])
  }
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

# Each functions file is a script of CREATE OR REPLACE FUNCTION statements, run before any view.
resource "google_bigquery_job" "function" {
  for_each = toset(local.bq_functions)
  job_id   = "reachops_functions_${each.key}_${substr(sha256(file("${path.module}/../bigquery_sql/functions/${each.key}.sql")), 0, 12)}"
  location = google_bigquery_dataset.reachops.location
  labels   = local.labels

  query {
    query              = file("${path.module}/../bigquery_sql/functions/${each.key}.sql")
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_dataset.reachops]
}

# Every view in one script, in bq_views' order (each CREATE OR REPLACE VIEW statement ends with
# ";"). The job id hashes the whole script, so an edit to any view runs it again.
locals {
  bq_views_script = join("\n", [for view in local.bq_views : file("${path.module}/../bigquery_sql/views/${view}.sql")])
}

resource "google_bigquery_job" "views" {
  job_id   = "reachops_views_${substr(sha256(local.bq_views_script), 0, 12)}"
  location = google_bigquery_dataset.reachops.location
  labels   = local.labels

  query {
    query              = local.bq_views_script
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_job.table, google_bigquery_job.function]
}

# Replaces each reference table's rows with the current definitions; the job id hashes the
# statement, so an edited definition runs again.
resource "google_bigquery_job" "reference_rows" {
  for_each = local.bq_reference_seeds
  job_id   = "reachops_seed_${each.key}_${substr(sha256(each.value), 0, 12)}"
  location = google_bigquery_dataset.reachops.location
  labels   = local.labels

  query {
    query              = each.value
    use_legacy_sql     = false
    create_disposition = ""
    write_disposition  = ""
  }

  depends_on = [google_bigquery_job.table]
}
