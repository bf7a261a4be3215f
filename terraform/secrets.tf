# Secrets the functions read as environment variables. Terraform declares them; their values
# are added out of band (see the README), so no secret ever sits in terraform state. Every grant
# is per secret and per function (its `uses` in shared/topology.yaml): nothing project-wide but
# the two runtime-named token grants below, and those are conditioned on the token prefix.
locals {
  apify_secrets = {
    REACHOPS_APIFY_TOKEN          = "reachops-apify-token"
    REACHOPS_APIFY_WEBHOOK_SECRET = "reachops-apify-webhook-secret"
  }
  meta_secrets = {
    REACHOPS_META_APP_SECRET = "reachops-meta-app-secret"
  }
  # What verifies Meta's webhook calls: the app secret (X-Hub-Signature-256) and the verify token
  # of the subscription handshake (hub.verify_token), for the Lead Ads webhook only.
  meta_webhook_secrets = {
    REACHOPS_META_APP_SECRET           = "reachops-meta-app-secret"
    REACHOPS_META_WEBHOOK_VERIFY_TOKEN = "reachops-meta-webhook-verify-token"
  }
  # The key that signs OAuth states: the API signs them, the token vault verifies them.
  oauth_secrets = {
    REACHOPS_OAUTH_STATE_SECRET = "reachops-oauth-state-secret"
  }

  # The keys that encrypt people's emails and hash them for matching (shared/people/pii.py).
  pii_secrets = {
    REACHOPS_PII_ENCRYPTION_KEY = "reachops-pii-encryption-key"
    REACHOPS_PII_HASH_KEY       = "reachops-pii-hash-key"
  }

  # Anthropic's API key, for the functions that score sentiment (shared/adapters/anthropic_sentiment.py).
  anthropic_secrets = {
    REACHOPS_ANTHROPIC_API_KEY = "reachops-anthropic-api-key"
  }

  # The key that signs list cursors, for the REST functions (shared/pagination.py).
  api_secrets = {
    REACHOPS_CURSOR_SECRET = "reachops-cursor-secret"
  }

  # Which use reads which secrets; a function reads exactly the secrets of its uses (and the
  # REST functions the cursor key).
  secrets_by_use = {
    apify        = local.apify_secrets
    meta         = local.meta_secrets
    meta_webhook = local.meta_webhook_secrets
    oauth        = local.oauth_secrets
    pii          = local.pii_secrets
    anthropic    = local.anthropic_secrets
  }
  function_secrets = {
    for name, fn in local.functions : name => merge(
      fn.trigger == "api" ? local.api_secrets : {},
      [for use in fn.uses : lookup(local.secrets_by_use, use, {})]...
    )
  }
  secret_readers = {
    for pair in flatten([
      for name, env in local.function_secrets : [
        for secret in values(env) : { function = name, secret = secret }
      ]
    ]) : "${pair.function}/${pair.secret}" => pair
  }

  # Access tokens are vaulted as one secret per connection, named at runtime under this prefix
  # (shared/adapters/token_vault.py TOKEN_SECRET_PREFIX): `vault` creates them (only non-public
  # functions may: tests/unit/test_terraform_least_privilege.py), `tokens` reads them.
  token_secret_prefix = "projects/${data.google_project.project.number}/secrets/reachops-token-"
  token_readers       = toset([for name, fn in local.functions : name if contains(fn.uses, "tokens")])
  token_vaulters      = toset([for name, fn in local.functions : name if contains(fn.uses, "vault")])
}

resource "google_secret_manager_secret" "secret" {
  for_each  = toset(flatten([for secrets in [local.api_secrets, local.apify_secrets, local.meta_secrets, local.meta_webhook_secrets, local.oauth_secrets, local.pii_secrets, local.anthropic_secrets] : values(secrets)]))
  secret_id = each.key
  labels    = local.labels

  replication {
    auto {}
  }

  depends_on = [google_project_service.service]
}

resource "google_secret_manager_secret_iam_member" "reader" {
  for_each  = local.secret_readers
  secret_id = google_secret_manager_secret.secret[each.value.secret].id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.function[each.value.function].member
}

# Creating a secret is checked on the project (the new secret's name is not yet a resource), so
# the condition lets the role's one project-level permission, secrets.create, through on the
# project and everything else (versions.add, secrets.delete) only on token secrets.
resource "google_project_iam_custom_role" "token_vaulter" {
  role_id     = "reachopsTokenVaulter"
  title       = "ReachOps token vaulter"
  description = "Create, add versions to and delete the per-connection Meta token secrets."
  permissions = [
    "secretmanager.secrets.create",
    "secretmanager.secrets.delete",
    "secretmanager.versions.add",
  ]
}

resource "google_project_iam_member" "token_vaulter" {
  for_each = local.token_vaulters
  project  = var.project_id
  role     = google_project_iam_custom_role.token_vaulter.id
  member   = google_service_account.function[each.key].member

  condition {
    title       = "reachops-token-secrets"
    description = "Only secrets named reachops-token-*"
    expression  = "resource.type == \"cloudresourcemanager.googleapis.com/Project\" || resource.name.startsWith(\"${local.token_secret_prefix}\")"
  }
}

resource "google_project_iam_member" "token_reader" {
  for_each = local.token_readers
  project  = var.project_id
  role     = "roles/secretmanager.secretAccessor"
  member   = google_service_account.function[each.key].member

  condition {
    title       = "reachops-token-secrets"
    description = "Only secrets named reachops-token-*"
    expression  = "resource.name.startsWith(\"${local.token_secret_prefix}\")"
  }
}
