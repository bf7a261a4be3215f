locals {
  # Composite indexes for the queries the code runs (fields in query order; Firestore appends
  # __name__ in the direction of the last field). "CONTAINS" marks an array-contains field.
  firestore_indexes = {
    # shared/campaigns/service.py list(): newest first, optionally by status and/or brand.
    campaigns_by_created = {
      collection = "campaigns"
      fields     = [["created_at", "DESCENDING"], ["campaign_id", "DESCENDING"]]
    }
    campaigns_by_status = {
      collection = "campaigns"
      fields     = [["status", "ASCENDING"], ["created_at", "DESCENDING"], ["campaign_id", "DESCENDING"]]
    }
    campaigns_by_brand = {
      collection = "campaigns"
      fields     = [["brand_id", "ASCENDING"], ["created_at", "DESCENDING"], ["campaign_id", "DESCENDING"]]
    }
    campaigns_by_brand_status = {
      collection = "campaigns"
      fields = [
        ["brand_id", "ASCENDING"],
        ["status", "ASCENDING"],
        ["created_at", "DESCENDING"],
        ["campaign_id", "DESCENDING"],
      ]
    }
    # shared/campaigns/service.py activity(): the timeline, oldest first.
    activity_by_occurred = {
      collection = "activity"
      fields     = [["occurred_at", "ASCENDING"], ["event_id", "ASCENDING"]]
    }
    # shared/brands/service.py list(): newest first.
    brands_by_created = {
      collection = "brands"
      fields     = [["created_at", "DESCENDING"], ["brand_id", "DESCENDING"]]
    }
    # shared/tracking/sites.py list(): newest first.
    sites_by_created = {
      collection = "sites"
      fields     = [["created_at", "DESCENDING"], ["site_id", "DESCENDING"]]
    }
    # shared/goals/service.py list(): live goals, newest first.
    goals_by_created = {
      collection = "goals"
      fields     = [["deleted", "ASCENDING"], ["created_at", "DESCENDING"], ["goal_id", "DESCENDING"]]
    }
    # shared/experiments/service.py list(): newest first, optionally by status.
    experiments_by_created = {
      collection = "experiments"
      fields     = [["created_at", "DESCENDING"], ["experiment_id", "DESCENDING"]]
    }
    experiments_by_status = {
      collection = "experiments"
      fields     = [["status", "ASCENDING"], ["created_at", "DESCENDING"], ["experiment_id", "DESCENDING"]]
    }
    # shared/forecasting/service.py list(): newest first, optionally by one of campaign,
    # channel or kind (Firestore merges these for several equality filters).
    forecasts_by_generated = {
      collection = "forecasts"
      fields     = [["generated_at", "DESCENDING"], ["forecast_id", "DESCENDING"]]
    }
    forecasts_by_campaign = {
      collection = "forecasts"
      fields     = [["campaign_id", "ASCENDING"], ["generated_at", "DESCENDING"], ["forecast_id", "DESCENDING"]]
    }
    forecasts_by_channel = {
      collection = "forecasts"
      fields     = [["channel", "ASCENDING"], ["generated_at", "DESCENDING"], ["forecast_id", "DESCENDING"]]
    }
    forecasts_by_kind = {
      collection = "forecasts"
      fields     = [["kind", "ASCENDING"], ["generated_at", "DESCENDING"], ["forecast_id", "DESCENDING"]]
    }
    # shared/orgs/service.py: an organization's active keys, oldest first.
    api_keys_by_org = {
      collection = "api_keys"
      fields     = [["org_id", "ASCENDING"], ["revoked", "ASCENDING"], ["created_at", "ASCENDING"]]
    }
    # shared/creators/search.py: creator search ranked by engagement, one filter per index
    # (Firestore merges them for several equality filters).
    creator_profiles_ranked = {
      collection = "creator_profiles"
      fields     = [["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_platform = {
      collection = "creator_profiles"
      fields     = [["platform", "ASCENDING"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_tier = {
      collection = "creator_profiles"
      fields     = [["tier", "ASCENDING"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_location = {
      collection = "creator_profiles"
      fields     = [["location", "ASCENDING"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_status = {
      collection = "creator_profiles"
      fields     = [["status", "ASCENDING"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_verified = {
      collection = "creator_profiles"
      fields     = [["verified", "ASCENDING"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    creator_profiles_by_niches = {
      collection = "creator_profiles"
      fields     = [["niches", "CONTAINS"], ["engagement_rate", "DESCENDING"], ["creator_id", "ASCENDING"], ["platform", "ASCENDING"]]
    }
    # shared/scraping/ingest.py: a creator's latest posts on a platform (engagement rate).
    posts_recent_by_creator = {
      collection = "posts"
      fields     = [["creator_id", "ASCENDING"], ["platform", "ASCENDING"], ["posted_at", "DESCENDING"]]
    }
    # shared/adaccounts/alerts.py feed(): the alert feed, newest first.
    alerts_by_raised = {
      collection = "alerts"
      fields     = [["raised_at", "DESCENDING"], ["alert_id", "DESCENDING"]]
    }
    # shared/feedback/service.py list(): newest first, optionally of one channel.
    feedback_by_created = {
      collection = "feedback"
      fields     = [["created_at", "DESCENDING"], ["feedback_id", "DESCENDING"]]
    }
    feedback_by_channel = {
      collection = "feedback"
      fields     = [["channel", "ASCENDING"], ["created_at", "DESCENDING"], ["feedback_id", "DESCENDING"]]
    }
    # shared/feedback/forms.py: forms newest first; a form's responses newest first.
    forms_by_created = {
      collection = "forms"
      fields     = [["created_at", "DESCENDING"], ["form_id", "DESCENDING"]]
    }
    form_responses_by_form = {
      collection = "form_responses"
      fields     = [["form_id", "ASCENDING"], ["created_at", "DESCENDING"], ["response_id", "DESCENDING"]]
    }
    # shared/scraping/jobs.py jobs(): newest first, optionally by status.
    scrape_jobs_by_status = {
      collection = "scrape_jobs"
      fields     = [["status", "ASCENDING"], ["created_at", "DESCENDING"]]
    }
  }
}

resource "google_firestore_index" "index" {
  for_each    = local.firestore_indexes
  database    = var.firestore_database
  collection  = each.value.collection
  query_scope = "COLLECTION"

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value[0]
      order        = fields.value[1] == "CONTAINS" ? null : fields.value[1]
      array_config = fields.value[1] == "CONTAINS" ? "CONTAINS" : null
    }
  }

  depends_on = [google_project_service.service]
}

# shared/http/distributed_limits.py: per-key rate-limit windows and their counters carry
# `expires_at` (the window's end); Firestore's TTL deletes them once ended. The field is only
# written, never queried, so it keeps no single-field index.
resource "google_firestore_field" "rate_limits_ttl" {
  database   = var.firestore_database
  collection = "rate_limits"
  field      = "expires_at"

  ttl_config {}
  index_config {}

  depends_on = [google_project_service.service]
}
