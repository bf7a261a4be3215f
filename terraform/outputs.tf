output "gateway_hostname" {
  description = "Hostname of the API gateway (https://<hostname>/v1/...)."
  value       = google_api_gateway_gateway.gateway.default_hostname
}

output "function_uris" {
  description = "Each function's https URL, by topology name."
  value       = { for name, fn in google_cloudfunctions2_function.function : name => fn.service_config[0].uri }
}

output "functions_base_url" {
  description = "REACHOPS_FUNCTIONS_BASE_URL: Cloud Tasks targets are <base>/<function name>."
  value       = local.functions_base_url
}

output "source_object" {
  description = "The hash-named source bundle every function is built from."
  value       = "gs://${google_storage_bucket.source.name}/${google_storage_bucket_object.source.name}"
}

output "service_accounts" {
  description = "Runtime identities: one per function plus the invokers."
  value = merge(
    { for name, account in google_service_account.function : name => account.email },
    {
      gateway       = google_service_account.gateway.email
      pubsub_push   = google_service_account.pubsub_push.email
      tasks_invoker = google_service_account.tasks_invoker.email
      scheduler     = google_service_account.scheduler.email
    },
  )
}
