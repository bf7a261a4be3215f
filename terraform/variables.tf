variable "project_id" {
  description = "The GCP project that hosts ReachOps."
  type        = string
}

variable "region" {
  description = "Region of the functions, queues, schedules, the source bucket and the API gateway."
  type        = string
  default     = "europe-west1"
}

variable "bigquery_location" {
  description = "Location of the `reachops` BigQuery dataset (and of the jobs that create its tables)."
  type        = string
  default     = "EU"
}

variable "firestore_database" {
  description = "The Firestore (native mode) database the code uses; it must already exist."
  type        = string
  default     = "(default)"
}

variable "source_bucket_name" {
  description = "Bucket for the hash-named source bundle; null means \"<project_id>-reachops-source\"."
  type        = string
  default     = null
}

variable "build_service_account" {
  description = "Service account Cloud Build uses to build the functions (projects/<p>/serviceAccounts/<email>); null keeps the platform default."
  type        = string
  default     = null
}

variable "function_max_instances" {
  description = "Upper bound on instances per function."
  type        = number
  default     = 20
}

variable "api_id" {
  description = "API Gateway API id (also the prefix of its configs) and gateway id."
  type        = string
  default     = "reachops"
}

variable "enable_apis" {
  description = "Enable the Google APIs ReachOps needs (leave them enabled on destroy)."
  type        = bool
  default     = true
}

variable "labels" {
  description = "Extra labels for the resources that take labels."
  type        = map(string)
  default     = {}
}

variable "meta_oauth_redirect_allowlist" {
  description = "redirect_uri values a caller may pass when connecting Meta ad accounts (exact match)."
  type        = list(string)
  default     = []
}

variable "meta_app_id" {
  description = "The Meta app (Marketing API) id; its secret goes in Secret Manager (see README)."
  type        = string
  default     = ""
}
