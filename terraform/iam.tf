data "google_project" "project" {
  project_id = var.project_id
}

locals {
  pubsub_service_agent = "serviceAccount:service-${data.google_project.project.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

# --- Identities --------------------------------------------------------------------------------

# One runtime identity per function, so each holds only what its `uses` and `publishes` need.
resource "google_service_account" "function" {
  for_each     = local.functions
  account_id   = local.function_accounts[each.key]
  display_name = "ReachOps function ${each.key}"
  description  = each.value.description
}

resource "google_service_account" "gateway" {
  account_id   = "reachops-gateway"
  display_name = "ReachOps API Gateway (calls the HTTP functions)"
}

resource "google_service_account" "pubsub_push" {
  account_id   = "reachops-pubsub-push"
  display_name = "ReachOps Pub/Sub push (calls the event handlers)"
}

resource "google_service_account" "tasks_invoker" {
  account_id   = "reachops-tasks-invoker"
  display_name = "ReachOps Cloud Tasks (calls the queue target functions)"
}

resource "google_service_account" "scheduler" {
  account_id   = "reachops-scheduler"
  display_name = "ReachOps Cloud Scheduler (calls the scheduled functions)"
}

# --- What each function may touch --------------------------------------------------------------

resource "google_project_iam_member" "firestore_user" {
  for_each = local.firestore_users
  project  = var.project_id
  role     = "roles/datastore.user"
  member   = google_service_account.function[each.key].member
}

resource "google_bigquery_dataset_iam_member" "data_editor" {
  for_each   = local.bigquery_users
  dataset_id = google_bigquery_dataset.reachops.dataset_id
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.function[each.key].member
}

# Functions that only read the warehouse (`uses: bigquery_read`, e.g. the dashboard) view it.
resource "google_bigquery_dataset_iam_member" "data_viewer" {
  for_each   = local.bigquery_readers
  dataset_id = google_bigquery_dataset.reachops.dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = google_service_account.function[each.key].member
}

# The tracking intake's identity (`uses: track_events`) touches one table: it appends events
# through the Storage Write API (bigquery.tables.updateData) and queries their ids (getData).
# dataEditor on that table alone is the narrowest predefined role holding both.
resource "google_bigquery_table_iam_member" "track_events_writer" {
  for_each   = local.track_event_writers
  dataset_id = google_bigquery_dataset.reachops.dataset_id
  table_id   = "track_events"
  role       = "roles/bigquery.dataEditor"
  member     = google_service_account.function[each.key].member

  depends_on = [google_bigquery_job.table]
}

resource "google_project_iam_member" "track_events_job_user" {
  for_each = local.track_event_writers
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = google_service_account.function[each.key].member
}

resource "google_project_iam_member" "bigquery_job_user" {
  for_each = local.bigquery_job_users
  project  = var.project_id
  role     = "roles/bigquery.jobUser"
  member   = google_service_account.function[each.key].member
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.publisher_bindings
  topic    = google_pubsub_topic.topic[each.value.topic].name
  role     = "roles/pubsub.publisher"
  member   = google_service_account.function[each.value.function].member
}

resource "google_cloud_tasks_queue_iam_member" "enqueuer" {
  for_each = local.enqueuer_bindings
  name     = google_cloud_tasks_queue.queue[each.value.queue].name
  location = var.region
  role     = "roles/cloudtasks.enqueuer"
  member   = google_service_account.function[each.value.function].member
}

# Creating a task that carries the tasks-invoker's OIDC token means acting as that account.
resource "google_service_account_iam_member" "tasks_invoker_user" {
  for_each           = local.tasks_users
  service_account_id = google_service_account.tasks_invoker.name
  role               = "roles/iam.serviceAccountUser"
  member             = google_service_account.function[each.key].member
}

# --- Who may call which function (its Cloud Run service) -------------------------------------

# One grant per (function, caller): the gateway calls the API functions, Pub/Sub push calls the
# event handlers, Cloud Tasks and Cloud Scheduler call their targets.
resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.invokers
  name     = google_cloudfunctions2_function.function[each.value.function].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = each.value.member
}

# The Pub/Sub service agent mints the push identity's OIDC tokens.
resource "google_service_account_iam_member" "pubsub_agent_token_creator" {
  service_account_id = google_service_account.pubsub_push.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_service_agent
}

# Webhook intake (Apify, Meta's OAuth redirect) is called from outside Google Cloud: anyone may
# reach it, and the function itself verifies each call (HMAC signature, signed OAuth state).
resource "google_cloud_run_v2_service_iam_member" "public_invoker" {
  for_each = local.public_functions
  name     = google_cloudfunctions2_function.function[each.key].service_config[0].service
  location = var.region
  role     = "roles/run.invoker"
  member   = "allUsers"
}

locals {
  invokers = merge(
    { for name in local.gateway_backends : "${name}/gateway" => { function = name, member = google_service_account.gateway.member } },
    { for name in local.push_targets : "${name}/push" => { function = name, member = google_service_account.pubsub_push.member } },
    { for name in local.task_targets : "${name}/tasks" => { function = name, member = google_service_account.tasks_invoker.member } },
    { for name in local.schedule_targets : "${name}/scheduler" => { function = name, member = google_service_account.scheduler.member } },
  )
}
