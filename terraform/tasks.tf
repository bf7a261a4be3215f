# Paced outbound calls; the local dispatcher honours the same limits from topology.yaml.
resource "google_cloud_tasks_queue" "queue" {
  for_each = local.queues
  name     = each.key
  location = var.region

  rate_limits {
    max_dispatches_per_second = each.value.max_dispatches_per_second
    max_concurrent_dispatches = each.value.max_concurrent_dispatches
  }

  retry_config {
    max_attempts  = each.value.max_attempts
    min_backoff   = "${each.value.min_backoff_seconds}s"
    max_backoff   = "${each.value.max_backoff_seconds}s"
    max_doublings = each.value.max_doublings
  }

  stackdriver_logging_config {
    sampling_ratio = 1.0
  }

  depends_on = [google_project_service.service]
}
