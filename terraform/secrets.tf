# Secrets the functions read as environment variables. Terraform declares them; their values
# are added out of band (see the README), so no secret ever sits in terraform state.
locals {
  apify_secrets = {
    REACHOPS_APIFY_TOKEN          = "reachops-apify-token"
    REACHOPS_APIFY_WEBHOOK_SECRET = "reachops-apify-webhook-secret"
  }
  apify_users = toset([for name, fn in local.functions : name if contains(fn.uses, "apify")])
}

resource "google_secret_manager_secret" "secret" {
  for_each  = toset(values(local.apify_secrets))
  secret_id = each.key
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.service]
}

resource "google_secret_manager_secret_iam_member" "apify_reader" {
  for_each = {
    for pair in setproduct(local.apify_users, values(local.apify_secrets)) :
    "${pair[0]}/${pair[1]}" => { function = pair[0], secret = pair[1] }
  }
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}
