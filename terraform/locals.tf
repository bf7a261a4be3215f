locals {
  # The one definition of functions, topics, subscription defaults, queues and schedules; the code
  # and the local stack read the same file through shared/topology.py.
  topology = yamldecode(file("${path.module}/../shared/topology.yaml"))

  labels = merge({ app = "reachops" }, var.labels)

  # Every function with its optional lists filled in (absent or null -> []).
  functions = {
    for name, fn in local.topology.functions : name => {
      trigger         = fn.trigger
      description     = try(tostring(fn.description), "")
      memory          = fn.memory
      timeout_seconds = fn.timeout_seconds
      uses            = try([for item in fn.uses : item], [])
      publishes       = try([for item in fn.publishes : item], [])
      subscribes      = try([for item in fn.subscribes : item], [])
      enqueues        = try([for item in fn.enqueues : item], [])
    }
  }

  http_functions   = { for name, fn in local.functions : name => fn if fn.trigger == "api" }
  public_functions = { for name, fn in local.functions : name => fn if fn.trigger == "webhook" }
  pubsub_functions = { for name, fn in local.functions : name => fn if fn.trigger == "pubsub" }

  topics                = local.topology.topics
  subscription_defaults = local.topology.subscription_defaults
  queues                = try({ for name, queue in local.topology.queues : name => queue }, {})
  schedules             = try({ for name, job in local.topology.schedules : name => job }, {})

  dead_letter_topics = { for topic in keys(local.topics) : topic => "${topic}-dead-letter" }

  # One push subscription per (function, topic) pair: "<topic>--<function with _ as ->".
  subscriptions = {
    for pair in flatten([
      for name, fn in local.functions : [
        for topic in fn.subscribes : { function = name, topic = topic }
      ]
    ]) : "${pair.topic}--${replace(pair.function, "_", "-")}" => pair
  }

  # roles/pubsub.publisher on exactly the topics each function publishes to.
  publisher_bindings = {
    for pair in flatten([
      for name, fn in local.functions : [
        for topic in fn.publishes : { function = name, topic = topic }
      ]
    ]) : "${pair.function}/${pair.topic}" => pair
  }

  firestore_users    = toset([for name, fn in local.functions : name if contains(fn.uses, "firestore")])
  bigquery_users     = toset([for name, fn in local.functions : name if contains(fn.uses, "bigquery")])
  bigquery_readers   = toset([for name, fn in local.functions : name if contains(fn.uses, "bigquery_read")])
  bigquery_job_users = toset([for name, fn in local.functions : name if contains(fn.uses, "bigquery") || contains(fn.uses, "bigquery_read")])
  # Storage Write appends and the stored-event-id query on reachops.track_events, no other table.
  track_event_writers = toset([for name, fn in local.functions : name if contains(fn.uses, "track_events")])
  tasks_users         = toset([for name, fn in local.functions : name if contains(fn.uses, "tasks")])

  # roles/cloudtasks.enqueuer on exactly the queues each function enqueues to.
  enqueuer_bindings = {
    for pair in flatten([
      for name, fn in local.functions : [
        for queue in fn.enqueues : { function = name, queue = queue }
      ]
    ]) : "${pair.function}/${pair.queue}" => pair
  }

  push_targets     = toset([for pair in values(local.subscriptions) : pair.function])
  task_targets     = toset([for queue in values(local.queues) : queue.target_function])
  schedule_targets = toset([for job in values(local.schedules) : job.target_function])
  gateway_backends = toset(keys(local.http_functions))

  # Service account ids: 6-30 characters of [a-z0-9-].
  function_accounts = {
    for name in keys(local.functions) :
    name => trimsuffix(substr("fn-${replace(name, "_", "-")}", 0, 30), "-")
  }

  # The code builds task URLs as "<base>/<function name>" (shared/adapters/cloud_tasks_queue.py).
  functions_base_url = "https://${var.region}-${var.project_id}.cloudfunctions.net"
}
