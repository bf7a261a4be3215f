# The REST API behind API Gateway: shared/http/openapi.yaml is the routing table, with one
# `${<function>}` placeholder per backend, filled with that HTTP function's URL. Each backend's
# `jwtAudience` is that URL too: the gateway calls as google_service_account.gateway with an ID
# token Cloud Run checks (roles/run.invoker), and hands the caller's Authorization on as
# X-Forwarded-Authorization (tests/unit/test_gateway_document.py checks the extension's rules).
# The same document carries the per-minute quotas (x-google-api-management.metrics/quota and
# each operation's x-google-quota; tests/unit/test_rate_limit_quotas.py), so the config below
# deploys them with the routes and the local gateway enforces the very same numbers. API Gateway
# counts a quota per consumer, the Google Cloud project of the Google API key a request carries
# (esp-v2 issue 407): our bearer keys are not Google API keys, so production counts per key only
# once each organization's frontend sends one too (README "## The API", rate limits).
resource "google_api_gateway_api" "api" {
  provider     = google-beta
  api_id       = var.api_id
  display_name = "ReachOps API"
  labels       = local.labels

  depends_on = [google_project_service.service]
}

resource "google_api_gateway_api_config" "api" {
  provider             = google-beta
  api                  = google_api_gateway_api.api.api_id
  api_config_id_prefix = "${var.api_id}-"
  display_name         = "ReachOps API"
  labels               = local.labels

  openapi_documents {
    document {
      path = "openapi.yaml"
      contents = base64encode(templatefile("${path.module}/../shared/http/openapi.yaml", {
        for name in keys(local.http_functions) :
        name => google_cloudfunctions2_function.function[name].service_config[0].uri
      }))
    }
  }

  gateway_config {
    backend_config {
      google_service_account = google_service_account.gateway.email
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "google_api_gateway_gateway" "gateway" {
  provider     = google-beta
  region       = var.region
  gateway_id   = var.api_id
  api_config   = google_api_gateway_api_config.api.id
  display_name = "ReachOps API"
  labels       = local.labels

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}

# The API's own managed service must be enabled for the gateway to serve it.
resource "google_project_service" "api_managed_service" {
  service            = google_api_gateway_api.api.managed_service
  disable_on_destroy = false
}
