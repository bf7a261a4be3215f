# One source bundle (the repo root) serves every function; each function picks its entry point.
data "archive_file" "source" {
  type        = "zip"
  source_dir  = "${path.module}/.."
  output_path = "${path.module}/.build/reachops-source.zip"

  # Glob patterns relative to the repo root; a matching directory is skipped whole.
  excludes = [
    ".git",
    ".venv",
    ".reachops",
    ".ci",
    "terraform",
    "tests",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".hypothesis",
    "build",
    "dist",
    "**/__pycache__",
    "**/*.egg-info",
    "**/*.pyc",
  ]
}

resource "google_storage_bucket" "source" {
  name                        = coalesce(var.source_bucket_name, "${var.project_id}-reachops-source")
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = local.labels

  depends_on = [google_project_service.service]
}

# Named by its content hash: a changed repo is a new object, and every function rebuilds from it.
resource "google_storage_bucket_object" "source" {
  name   = "source/reachops-${data.archive_file.source.output_sha256}.zip"
  bucket = google_storage_bucket.source.name
  source = data.archive_file.source.output_path
}
