# Secrets the functions read as environment variables. Terraform declares them; their values
# are added out of band (see the README), so no secret ever sits in terraform state.
locals {
  apify_secrets = {
    REACHOPS_APIFY_TOKEN          = "reachops-apify-token"
    REACHOPS_APIFY_WEBHOOK_SECRET = "reachops-apify-webhook-secret"
  }
  apify_users = toset([for name, fn in local.functions : name if contains(fn.uses, "apify")])

  # The Meta app secret and the key that signs OAuth states, for the functions that talk to Meta.
  meta_secrets = {
    REACHOPS_META_APP_SECRET    = "reachops-meta-app-secret"
    REACHOPS_OAUTH_STATE_SECRET = "reachops-oauth-state-secret"
  }
  meta_users = toset([for name, fn in local.functions : name if contains(fn.uses, "meta")])

  # Access tokens are vaulted as one Secret Manager secret per connection (named at runtime):
  # the OAuth callback and the API (System User tokens) create them; the sync and the daily
  # token check read them.
  token_writers = toset([for name, fn in local.functions : name if contains(fn.uses, "tokens") && contains(["webhook", "api"], fn.trigger)])
  token_readers = toset([for name, fn in local.functions : name if contains(fn.uses, "tokens")])
}

resource "google_secret_manager_secret" "secret" {
  for_each  = toset(concat(values(local.apify_secrets), values(local.meta_secrets)))
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

resource "google_secret_manager_secret_iam_member" "meta_reader" {
  for_each = {
    for pair in setproduct(local.meta_users, values(local.meta_secrets)) :
    "${pair[0]}/${pair[1]}" => { function = pair[0], secret = pair[1] }
  }
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}

# Token secrets are created at runtime, so these grants are project-wide but only to the
# functions that handle tokens: the callback and the API create versions, the others read them.
resource "google_project_iam_member" "token_writer" {
  for_each = local.token_writers
  project  = var.project_id
  role     = "roles/secretmanager.admin"
  member   = google_service_account.function[each.key].member
}

resource "google_project_iam_member" "token_reader" {
  for_each = local.token_readers
  project  = var.project_id
  role     = "roles/secretmanager.secretAccessor"
  member   = google_service_account.function[each.key].member
}
