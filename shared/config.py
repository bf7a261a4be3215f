"""Settings from the environment, validated once per instance.

Emulator hosts are the standard variables the Google clients read themselves
(FIRESTORE_EMULATOR_HOST, PUBSUB_EMULATOR_HOST); everything ReachOps reads is prefixed REACHOPS_.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.adaccounts.sync_units import RETRY_BACKOFF_SECONDS

_REPO_SQL_DIR = Path(__file__).resolve().parents[1] / "bigquery_sql"


def _default_sql_dir() -> Path:
    """The SQL files ship beside the package in the source bundle (the deployed cwd holds them)."""
    return _REPO_SQL_DIR if _REPO_SQL_DIR.is_dir() else Path.cwd() / "bigquery_sql"


LOCAL_CURSOR_SECRET = "reachops-local-development-cursor-key"  # noqa: S105 - public dev key
"""The fixed key that signs cursors on a laptop; deployed functions get theirs from terraform."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REACHOPS_", extra="ignore")

    project_id: str = Field(
        default="reachops-local",
        validation_alias=AliasChoices("REACHOPS_PROJECT_ID", "GOOGLE_CLOUD_PROJECT"),
    )
    region: str = "europe-west1"
    warehouse: Literal["duckdb", "bigquery"] = "duckdb"
    duckdb_path: Path = Path(".reachops/warehouse.duckdb")
    sql_dir: Path = Field(default_factory=_default_sql_dir)
    task_queue: Literal["local", "cloud_tasks"] = "local"
    local_dispatcher_url: str = "http://127.0.0.1:8080/_tasks"
    functions_base_url: str = "http://127.0.0.1:8080/fn"
    tasks_service_account: str = ""
    apify_api_url: str = "https://api.apify.com"
    apify_token: str = ""
    apify_webhook_secret: str = Field(default="", repr=False)
    apify_max_retries: int = 8
    apify_min_delay_between_retries_seconds: float = 0.5
    meta_app_id: str = ""
    meta_app_secret: str = Field(default="", repr=False)
    meta_webhook_verify_token: str = Field(
        default="", repr=False, description="the Lead Ads webhook subscription's hub.verify_token"
    )
    meta_graph_url: str = "https://graph.facebook.com"
    meta_dialog_url: str = "https://www.facebook.com"
    meta_oauth_redirect_uri: str = ""
    meta_oauth_redirect_allowlist: tuple[str, ...] = Field(
        default=(),
        description=(
            "redirect_uri values a caller may pass to POST /v1/ad-accounts/connect (exact "
            "match; meta_oauth_redirect_uri is always allowed). A JSON list in the environment."
        ),
    )
    oauth_state_secret: str = Field(default="", repr=False)
    cursor_secret: str = Field(
        default=LOCAL_CURSOR_SECRET,
        repr=False,
        min_length=16,
        description="signs pagination cursors; a Secret Manager secret in production",
    )
    vault_backend: Literal["local", "secret_manager"] = "local"
    pii_encryption_key: str = Field(
        default="", repr=False, description="Fernet key of stored emails (shared/people/pii.py)"
    )
    pii_hash_key: str = Field(
        default="", repr=False, description="HMAC key of the email hashes people are matched by"
    )
    local_pii_key_file: Path = Field(
        default=Path(".reachops/pii_keys.json"),
        description="where the local stack keeps both PII keys when they are not set",
    )
    local_token_key: str = Field(default="", repr=False)
    local_identity_key: str = Field(
        default="",
        repr=False,
        description="signs the local stack's caller identity tokens (localstack/identities.py)",
    )
    insights_poll_seconds: float = Field(default=5.0, gt=0)
    insights_retry_backoff_seconds: float = Field(
        default=RETRY_BACKOFF_SECONDS,
        gt=0,
        description="first wait before a failed insights call is retried (doubles per failure)",
    )
    anthropic_api_key: str = Field(
        default="",
        repr=False,
        description="Anthropic's API key; empty: sentiment is scored offline by VADER",
    )
    anthropic_base_url: str = "https://api.anthropic.com"
    anthropic_model: str = "claude-haiku-4-5"
    anthropic_max_retries: int = Field(
        default=4, ge=0, description="the SDK's own retries of 429, 5xx and 529"
    )
    sentiment_poll_seconds: float = Field(
        default=60.0, gt=0, description="wait between polls of a Message Batch"
    )
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    default_page_size: int = Field(default=25, gt=0)
    max_page_size: int = Field(default=100, gt=0)


@cache
def get_settings() -> Settings:
    return Settings()
