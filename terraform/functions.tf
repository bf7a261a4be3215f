locals {
  # What shared/config.py reads in production.
  function_environment = {
    REACHOPS_PROJECT_ID              = var.project_id
    REACHOPS_REGION                  = var.region
    REACHOPS_WAREHOUSE               = "bigquery"
    REACHOPS_SQL_DIR                 = "/workspace/bigquery_sql"
    REACHOPS_TASK_QUEUE              = "cloud_tasks"
    REACHOPS_FUNCTIONS_BASE_URL      = local.functions_base_url
    REACHOPS_TASKS_SERVICE_ACCOUNT   = google_service_account.tasks_invoker.email
    REACHOPS_VAULT_BACKEND           = "secret_manager"
    REACHOPS_META_APP_ID             = var.meta_app_id
    REACHOPS_META_OAUTH_REDIRECT_URI = "${local.functions_base_url}/meta_oauth_callback"
    # Other redirect_uri values a caller may ask for (a frontend's own callback page).
    REACHOPS_META_OAUTH_REDIRECT_ALLOWLIST = jsonencode(var.meta_oauth_redirect_allowlist)
  }
}

# Every topology function from the one bundle. Pub/Sub handlers have no event_trigger: terraform
# owns their push subscriptions (pubsub.tf), which carry the dead-letter policy.
resource "google_cloudfunctions2_function" "function" {
  for_each    = local.functions
  name        = each.key
  location    = var.region
  description = each.value.description
  labels      = local.labels

  build_config {
    runtime         = "python311"
    entry_point     = each.key
    service_account = var.build_service_account
    environment_variables = {
      GOOGLE_FUNCTION_SOURCE = "functions/main.py"
    }
    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.source.name
      }
    }
  }

  service_config {
    available_memory               = each.value.memory
    timeout_seconds                = each.value.timeout_seconds
    min_instance_count             = 0
    max_instance_count             = var.function_max_instances
    ingress_settings               = "ALLOW_ALL"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.function[each.key].email
    environment_variables          = local.function_environment

    # Exactly the secrets of the function's uses, and the cursor-signing key for the REST
    # functions (secrets.tf), each readable only by the functions that get it here.
    dynamic "secret_environment_variables" {
      for_each = local.function_secrets[each.key]
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = google_secret_manager_secret.secret[secret_environment_variables.value].secret_id
        version    = "latest"
      }
    }
  }

  depends_on = [google_project_service.service]
}
