# Meta's OAuth dialog sends the browser back with the single-use authorization code in the query
# string, and Cloud Run's own request log (outside our code) records every request URL in full.
# The callback's request log entries are excluded before they are stored, so the code never sits
# in Cloud Logging; the function's own structured line (shared/http/logging.py) logs the path only.
locals {
  oauth_callback_service = element(
    split("/", google_cloudfunctions2_function.function["meta_oauth_callback"].service_config[0].service),
    length(split("/", google_cloudfunctions2_function.function["meta_oauth_callback"].service_config[0].service)) - 1,
  )
}

resource "google_logging_project_exclusion" "oauth_callback_request_urls" {
  name        = "reachops-oauth-callback-request-urls"
  description = "Cloud Run request logs of the Meta OAuth callback carry the single-use code in their URL."
  filter      = <<-EOT
    resource.type="cloud_run_revision"
    AND log_id("run.googleapis.com/requests")
    AND resource.labels.service_name="${local.oauth_callback_service}"
  EOT
}
