"""Each function's identity holds only what it needs, and a public one (trigger api or webhook,
reachable from the internet) holds exactly what an explicit allow-list says.

The grants are read from terraform/*.tf (python-hcl2, as test_terraform_declares_code does):
every IAM resource whose member is a function's service account iterates a local built from
shared/topology.yaml; this test evaluates those locals' few comprehension shapes per function
and fails on any it cannot read, so a new grant cannot slip past unread.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pytest

from tests.unit.test_terraform_declares_code import terraform, topology_functions

FUNCTION_MEMBER = "google_service_account.function["
PUBLIC_TRIGGERS = ("api", "webhook")
SCOPE = {
    "google_project_iam_member": "project",
    "google_bigquery_dataset_iam_member": "dataset",
    "google_bigquery_table_iam_member": "table",
    "google_pubsub_topic_iam_member": "topic",
    "google_cloud_tasks_queue_iam_member": "queue",
    "google_service_account_iam_member": "service-account",
    "google_secret_manager_secret_iam_member": "secret",
}
REST = {
    "project:roles/datastore.user",
    "dataset:roles/bigquery.dataEditor",
    "project:roles/bigquery.jobUser",
    "secret:roles/secretmanager.secretAccessor",  # the cursor-signing key
}
TASKS = {"queue:roles/cloudtasks.enqueuer", "service-account:roles/iam.serviceAccountUser"}
TOKEN_READS = "project-if-token-secret:roles/secretmanager.secretAccessor"
ALLOWED: dict[str, set[str]] = {
    "org_api": {"project:roles/datastore.user", "secret:roles/secretmanager.secretAccessor"},
    "campaigns_api": REST | {"topic:roles/pubsub.publisher"},
    # Creators in Firestore; reads the community-health view for a creator's reply.
    "creators_api": {
        "project:roles/datastore.user",
        "dataset:roles/bigquery.dataViewer",
        "project:roles/bigquery.jobUser",
        "secret:roles/secretmanager.secretAccessor",
    },
    # Signs OAuth states, reads tokens for on-request reach; creates none.
    "ad_accounts_api": REST | TASKS | {TOKEN_READS},
    "apify_webhook": {"secret:roles/secretmanager.secretAccessor", "topic:roles/pubsub.publisher"},
    # Checks the state against Firestore and hands the code on: no secret at all.
    "meta_oauth_callback": {"project:roles/datastore.user"} | TASKS,
    # Looks up site keys (Firestore), appends to track_events (Storage Write) and queries its
    # event ids: that one table, no dataset-wide grant; no topic, queue or token.
    "track_api": {
        "project:roles/datastore.user",
        "secret:roles/secretmanager.secretAccessor",
        "project:roles/bigquery.jobUser",
        "table:roles/bigquery.dataEditor",
    },
    # Records server-side conversions (Firestore order claims, track_events) and reads them.
    "conversions_api": REST,
    # Checks Meta's signature (app secret) and handshake (verify token), queues lead fetches:
    # no Firestore, warehouse or token.
    "meta_leads_webhook": {"secret:roles/secretmanager.secretAccessor"} | TASKS,
    # Forecasts in Firestore and reachops.forecasts (DELETE + MERGE); no topic, queue or token.
    "forecasts_api": REST,
    # Goals in Firestore, mirrored to two warehouse tables it MERGEs; nothing else.
    "goals_api": REST,
    # People (Firestore), their warehouse copy and links (MERGE), erasure (DML DELETE in every
    # table naming a person) and the PII keys; publishes nothing.
    "people_api": REST,
    # Feedback, forms and responses (Firestore, mirrored by MERGE), the PII keys to match an
    # email to a person, and the two intake topics.
    "feedback_api": REST | {"topic:roles/pubsub.publisher"},
    # Reads campaigns and sites (Firestore) and the dashboard's views; writes nothing.
    "dashboard_api": {
        "project:roles/datastore.user",
        "dataset:roles/bigquery.dataViewer",
        "project:roles/bigquery.jobUser",
        "secret:roles/secretmanager.secretAccessor",
    },
    # Reads campaigns (Firestore) and the attribution views; writes manual session resolutions.
    "attribution_api": REST,
    # Experiments in Firestore; reads their results and nothing else from the warehouse.
    "experiments_api": {
        "project:roles/datastore.user",
        "dataset:roles/bigquery.dataViewer",
        "project:roles/bigquery.jobUser",
        "secret:roles/secretmanager.secretAccessor",
    },
    # Looks up site keys and experiments, stores first assignments (Firestore); no warehouse.
    "experiment_assign": {
        "project:roles/datastore.user",
        "secret:roles/secretmanager.secretAccessor",
    },
    # Sentiment results (MERGE into sentiment_scores), the Anthropic key, queues bulk runs and
    # publishes the one alert a paused engine raises.
    "sentiment_api": REST | TASKS | {"topic:roles/pubsub.publisher"},
    # Scores as records: MERGEs customer_scores, reads the insight views, runs in Firestore.
    "scores_api": REST,
    # Segments: definitions in Firestore, members written and read in the warehouse.
    "segments_api": REST,
    # Reads scores and journeys, and the person (the PII keys decrypt the email for admins).
    "customers_api": {
        "project:roles/datastore.user",
        "dataset:roles/bigquery.dataViewer",
        "project:roles/bigquery.jobUser",
        "secret:roles/secretmanager.secretAccessor",
    },
}
"""What each public function may hold. A new public function fails here until it is listed."""

_SET = re.compile(r"^\$\{toset\(\[for name, fn in local\.functions : name if (.+)\]\)\}$")
_PRODUCT = re.compile(r"setproduct\(tolist\(local\.(\w+)\)")
_FIELD_LIST = re.compile(r"for name, fn in local\.functions : \[for \w+ in fn\.(\w+) :")


class Fn:
    """A topology function as HCL's `fn` sees it (absent lists are empty, as in locals.tf)."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        self.trigger = spec["trigger"]
        self.uses = list(spec.get("uses") or [])
        self.publishes = list(spec.get("publishes") or [])
        self.subscribes = list(spec.get("subscribes") or [])
        self.enqueues = list(spec.get("enqueues") or [])


def holds(condition: str, fn: Fn) -> bool:
    """A `for ... if` condition of locals.tf/secrets.tf, in Python (contains, ==, &&, ||, !)."""
    python = re.sub(r"contains\(([^,()]+|\[[^\]]*\]),\s*([^()]+?)\)", r"(\2 in \1)", condition)
    python = python.replace("&&", " and ").replace("||", " or ").replace("!", " not ")
    python = python.replace(" not =", "!=")
    return bool(eval(python, {"__builtins__": {}}, {"fn": fn}))  # noqa: S307 - our own terraform


def secrets_of(name: str, fn: Fn) -> set[str]:
    """local.function_secrets[name]: the api trigger's secrets plus those of each use."""
    tf = terraform().locals
    expression = str(tf["function_secrets"])
    assert "lookup(local.secrets_by_use, use, {})" in expression, "function_secrets changed shape"
    by_use = {use: str(ref) for use, ref in tf["secrets_by_use"].items()}
    refs = [by_use[use] for use in fn.uses if use in by_use]
    if fn.trigger == "api":
        refs.append("${local.api_secrets}")
    found: set[str] = set()
    for ref in refs:
        local = re.fullmatch(r"\$\{local\.(\w+)\}", ref)
        assert local, f"unreadable secrets reference {ref}"
        found |= set(tf[local.group(1)].values())
    return found


def members_of(for_each: str) -> dict[str, bool]:
    """Which functions a grant's for_each covers."""
    tf = terraform().locals
    local = re.fullmatch(r"\$\{local\.(\w+)\}", for_each)
    assert local, f"a function grant iterates {for_each}, not a local"
    name = local.group(1)
    expression = str(tf[name])
    functions = {n: Fn(spec) for n, spec in topology_functions().items()}
    if shape := _SET.match(expression):
        return {n: holds(shape.group(1), fn) for n, fn in functions.items()}
    if product := _PRODUCT.search(expression):
        return members_of(f"${{local.{product.group(1)}}}")
    if field := _FIELD_LIST.search(expression):
        return {n: bool(getattr(fn, field.group(1))) for n, fn in functions.items()}
    if "local.function_secrets" in expression:
        return {n: bool(secrets_of(n, fn)) for n, fn in functions.items()}
    raise AssertionError(f"local.{name} has a shape this test cannot read: {expression[:120]}")


def grants() -> dict[str, set[str]]:
    """Function -> its grants as "scope:role" (project grants with a condition marked)."""
    held: dict[str, set[str]] = {name: set() for name in topology_functions()}
    for (kind, _), body in terraform().resources.items():
        if FUNCTION_MEMBER not in str(body.get("member", "")):
            continue
        assert kind in SCOPE, f"{kind} grants a function something this test does not know"
        scope = SCOPE[kind]
        if body.get("condition"):
            expression = str(body["condition"][0]["expression"])
            assert "reachops-token-" in expression or "token_secret_prefix" in expression
            scope += "-if-token-secret"
        role = str(body["role"])
        custom = re.fullmatch(r"\$\{google_project_iam_custom_role\.(\w+)\.id\}", role)
        if custom:
            role = f"custom:{custom.group(1)}"
        for name, covered in members_of(str(body["for_each"])).items():
            if covered:
                held[name].add(f"{scope}:{role}")
    return held


def custom_role(name: str) -> dict[str, Any]:
    body: dict[str, Any] = terraform().of_type("google_project_iam_custom_role")[name]
    return body


def public_functions() -> list[str]:
    return sorted(n for n, s in topology_functions().items() if s["trigger"] in PUBLIC_TRIGGERS)


@pytest.mark.parametrize("name", public_functions())
def test_a_public_function_holds_only_its_allow_list(name: str) -> None:
    assert name in ALLOWED, f"{name} is public: list what it may hold in ALLOWED"
    extra = grants()[name] - ALLOWED[name]
    assert extra == set(), f"{name} holds more than it needs: {sorted(extra)}"


def test_no_function_administers_secret_manager() -> None:
    for name, held in grants().items():
        assert not [g for g in held if "secretmanager.admin" in g], name


def test_no_public_function_may_create_secrets_or_read_them_project_wide() -> None:
    for name in public_functions():
        held = grants()[name]
        assert not [g for g in held if g.startswith("project:") and "secretmanager" in g], name
        assert not [g for g in held if g.startswith("custom:") or ":custom:" in g], name


def test_token_secrets_are_created_by_a_custom_role_scoped_to_their_prefix() -> None:
    role = custom_role("token_vaulter")
    assert set(role["permissions"]) == {
        "secretmanager.secrets.create",
        "secretmanager.secrets.delete",
        "secretmanager.versions.add",
    }
    vaulters = {n for n, held in grants().items() if any("custom:token_vaulter" in g for g in held)}
    assert vaulters, "nobody can vault a token"
    triggers = {topology_functions()[n]["trigger"] for n in vaulters}
    assert not triggers & set(PUBLIC_TRIGGERS), f"public token creators: {sorted(vaulters)}"
    assert "token_vault" in vaulters


def test_each_function_reads_exactly_the_secrets_of_its_uses() -> None:
    functions = topology_functions()
    callback = secrets_of("meta_oauth_callback", Fn(functions["meta_oauth_callback"]))
    assert callback == set()
    vault = secrets_of("token_vault", Fn(functions["token_vault"]))
    assert vault == {"reachops-meta-app-secret", "reachops-oauth-state-secret"}
    insights = secrets_of("insights_sync", Fn(functions["insights_sync"]))
    assert "reachops-oauth-state-secret" not in insights


def test_the_oauth_callbacks_request_urls_never_reach_cloud_logging() -> None:
    """Meta redirects with the single-use code in the query string; Cloud Run logs every URL."""
    exclusion = terraform().resources[
        ("google_logging_project_exclusion", "oauth_callback_request_urls")
    ]
    text = str(exclusion["filter"])
    assert 'log_id("run.googleapis.com/requests")' in text
    assert "oauth_callback_service" in text
    assert 'function["meta_oauth_callback"]' in str(terraform().locals["oauth_callback_service"])
