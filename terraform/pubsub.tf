resource "google_pubsub_topic" "topic" {
  for_each = local.topics
  name     = each.key
  labels   = local.labels

  depends_on = [google_project_service.service]
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = local.dead_letter_topics
  name     = each.value
  labels   = local.labels

  depends_on = [google_project_service.service]
}

# Dead letters are kept for a week on a pull subscription, to inspect and replay.
resource "google_pubsub_subscription" "dead_letter" {
  for_each                   = local.dead_letter_topics
  name                       = "${each.value}--hold"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"
  labels                     = local.labels

  expiration_policy {
    ttl = ""
  }
}

# One push subscription per (function, topic): OIDC to the function's URL, retries with backoff,
# then the topic's dead-letter topic. The ack deadline is the handler's whole timeout (at most
# 600 s, checked by shared/topology.py), so a long run is not redelivered while it still runs.
resource "google_pubsub_subscription" "push" {
  for_each             = local.subscriptions
  name                 = each.key
  topic                = google_pubsub_topic.topic[each.value.topic].id
  ack_deadline_seconds = local.functions[each.value.function].timeout_seconds
  labels               = local.labels

  push_config {
    push_endpoint = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    oidc_token {
      service_account_email = google_service_account.pubsub_push.email
      audience              = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    }
  }

  retry_policy {
    minimum_backoff = "${local.subscription_defaults.min_retry_backoff_seconds}s"
    maximum_backoff = "${local.subscription_defaults.max_retry_backoff_seconds}s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = local.subscription_defaults.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [
    google_cloud_run_v2_service_iam_member.invoker,
    google_service_account_iam_member.pubsub_agent_token_creator,
  ]
}

# The Pub/Sub service agent forwards undeliverable messages: it publishes to the dead-letter
# topics and acknowledges on the source subscriptions.
resource "google_pubsub_topic_iam_member" "dead_letter_publisher" {
  for_each = local.dead_letter_topics
  topic    = google_pubsub_topic.dead_letter[each.key].name
  role     = "roles/pubsub.publisher"
  member   = local.pubsub_service_agent
}

resource "google_pubsub_subscription_iam_member" "dead_letter_subscriber" {
  for_each     = local.subscriptions
  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_service_agent
}
