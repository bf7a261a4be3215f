# Periodic work: a POST to the target function, authenticated with the scheduler's OIDC token.
resource "google_cloud_scheduler_job" "job" {
  for_each    = local.schedules
  name        = each.key
  region      = var.region
  description = try(each.value.description, null)
  schedule    = each.value.cron
  time_zone   = "Etc/UTC"
  # Cloud Scheduler allows 15 s to 30 min for HTTP targets.
  attempt_deadline = "${min(max(local.functions[each.value.target_function].timeout_seconds, 15), 1800)}s"

  retry_config {
    retry_count          = 3
    min_backoff_duration = "30s"
    max_backoff_duration = "600s"
  }

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.function[each.value.target_function].service_config[0].uri
    headers = {
      "Content-Type" = "application/json"
    }
    body = base64encode(jsonencode({ schedule = each.key }))

    oidc_token {
      service_account_email = google_service_account.scheduler.email
      audience              = google_cloudfunctions2_function.function[each.value.target_function].service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.service,
    google_cloud_run_v2_service_iam_member.invoker,
  ]
}
