"""terraform/ deploys exactly what the code defines.

The functions, topics, queues and schedules come from shared/topology.yaml, the tables and views
from bigquery_sql/, the gateway backends from shared/http/openapi.yaml. These tests parse every
terraform/*.tf (python-hcl2) and check that terraform iterates those definitions instead of
repeating names, and that the definitions agree with each other and with the code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hcl2 import SerializationOptions

from shared.adapters.sql_files import view_dependencies

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "terraform"
TOPOLOGY = ROOT / "shared" / "topology.yaml"
OPENAPI = ROOT / "shared" / "http" / "openapi.yaml"
SQL = ROOT / "bigquery_sql"
MAIN = ROOT / "functions" / "main.py"

_HCL_OPTIONS = SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)
_LOCAL_REF = re.compile(r"\blocal\.(\w+)")
_CREATE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(TABLE|VIEW|FUNCTION)\s+(?:IF\s+NOT\s+EXISTS\s+)?`?reachops\.(\w+)",
    re.IGNORECASE,
)
_DATASET_REF = re.compile(r"\breachops\.(\w+)")
_PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class Terraform:
    locals: dict[str, Any]
    resources: dict[tuple[str, str], dict[str, Any]]

    def of_type(self, resource_type: str) -> dict[str, dict[str, Any]]:
        return {
            name: body for (kind, name), body in self.resources.items() if kind == resource_type
        }

    def expands_to(self, expression: object, target: str) -> bool:
        """Whether `expression`, following local.<name> references, mentions `target`."""
        pending, seen = [str(expression)], set[str]()
        while pending:
            text = pending.pop()
            if target in text:
                return True
            for name in _LOCAL_REF.findall(text):
                if name not in seen and name in self.locals:
                    seen.add(name)
                    pending.append(str(self.locals[name]))
        return False


@cache
def terraform() -> Terraform:
    files = sorted(TERRAFORM.glob("*.tf"))
    assert files, f"no terraform files under {TERRAFORM}"
    locals_: dict[str, Any] = {}
    resources: dict[tuple[str, str], dict[str, Any]] = {}
    for path in files:
        with path.open(encoding="utf-8") as handle:
            parsed: dict[str, Any] = hcl2.load(handle, serialization_options=_HCL_OPTIONS)
        for block in parsed.get("locals", []):
            duplicated = locals_.keys() & block.keys()
            assert not duplicated, f"{path.name} redefines locals {sorted(duplicated)}"
            locals_.update(block)
        for block in parsed.get("resource", []):
            for resource_type, named in block.items():
                for name, body in named.items():
                    assert (resource_type, name) not in resources, f"{resource_type}.{name} twice"
                    resources[(resource_type, name)] = body
    return Terraform(locals=locals_, resources=resources)


@cache
def topology() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(TOPOLOGY.read_text(encoding="utf-8"))
    return loaded


def topology_functions() -> dict[str, dict[str, Any]]:
    functions: dict[str, dict[str, Any]] = topology()["functions"]
    return functions


def topology_section(name: str) -> dict[str, dict[str, Any]]:
    section: dict[str, dict[str, Any]] | None = topology().get(name)
    return section or {}


def http_functions() -> set[str]:
    return {name for name, spec in topology_functions().items() if spec["trigger"] == "api"}


def block(body: Mapping[str, Any], name: str) -> dict[str, Any]:
    """The single nested block `name` of a resource body."""
    blocks = body.get(name)
    assert isinstance(blocks, list), f"no {name} block"
    assert len(blocks) == 1, f"{len(blocks)} {name} blocks"
    single: dict[str, Any] = blocks[0]
    return single


def single_resource(resource_type: str) -> dict[str, Any]:
    resources = terraform().of_type(resource_type)
    assert len(resources) == 1, f"expected one {resource_type}, found {sorted(resources)}"
    return next(iter(resources.values()))


def exported_entry_points() -> set[str]:
    for node in ast.parse(MAIN.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            names = ast.literal_eval(node.value)
            assert isinstance(names, list | tuple)
            return {str(name) for name in names}
    pytest.fail(f"{MAIN} has no __all__")


def sql_without_comments(path: Path) -> str:
    return re.sub(r"--[^\n]*", "", path.read_text(encoding="utf-8"))


def sql_definitions(folder: str, kind: str) -> set[str]:
    names: set[str] = set()
    for path in sorted((SQL / folder).glob("*.sql")):
        found = [
            name for k, name in _CREATE.findall(sql_without_comments(path)) if k.upper() == kind
        ]
        assert found, f"{path.relative_to(ROOT)} creates no {kind}"
        assert found == [path.stem], f"{path.relative_to(ROOT)} must create {kind} {path.stem}"
        names.update(found)
    return names


def test_topology_is_read_from_its_one_definition() -> None:
    expression = terraform().locals.get("topology")
    assert expression == '${yamldecode(file("${path.module}/../shared/topology.yaml"))}'
    assert (TERRAFORM / ".." / "shared" / "topology.yaml").resolve() == TOPOLOGY.resolve()


def test_functions_resource_iterates_topology_functions() -> None:
    function = single_resource("google_cloudfunctions2_function")
    assert terraform().expands_to(function["for_each"], "local.topology.functions")
    assert function["name"] == "${each.key}"
    build = block(function, "build_config")
    assert build["runtime"] == "python311"
    assert build["entry_point"] == "${each.key}"
    assert build["environment_variables"]["GOOGLE_FUNCTION_SOURCE"] == "functions/main.py"
    assert "event_trigger" not in function, "Pub/Sub handlers get push subscriptions instead"


def test_every_exported_entry_point_is_a_topology_function() -> None:
    assert exported_entry_points() <= topology_functions().keys()


def test_every_topology_function_has_an_exported_entry_point() -> None:
    assert topology_functions().keys() <= exported_entry_points()


def dead_letter_topic_resource() -> str:
    """The google_pubsub_topic resource that holds "<topic>-dead-letter" per topology topic."""
    tf = terraform()
    names = [
        name
        for name, body in tf.of_type("google_pubsub_topic").items()
        if tf.expands_to(body.get("for_each"), "local.topology.topics")
        and tf.expands_to(f"{body.get('for_each')} {body.get('name')}", "-dead-letter")
    ]
    assert len(names) == 1, f"expected one dead-letter topic resource, found {names}"
    return names[0]


def test_topics_and_their_dead_letters_iterate_topology_topics() -> None:
    tf = terraform()
    topics = [
        name
        for name, body in tf.of_type("google_pubsub_topic").items()
        if tf.expands_to(body.get("for_each"), "local.topology.topics")
        and body.get("name") == "${each.key}"
    ]
    assert len(topics) == 1, "one topic per topology topic, named as in topology.yaml"
    assert dead_letter_topic_resource() not in topics


def test_every_push_subscription_has_a_dead_letter_policy() -> None:
    tf = terraform()
    push = [
        body for body in tf.of_type("google_pubsub_subscription").values() if "push_config" in body
    ]
    assert len(push) == 1
    subscription = push[0]
    assert tf.expands_to(subscription["for_each"], "local.topology.functions")
    assert tf.expands_to(subscription["for_each"], ".subscribes")
    policy = block(subscription, "dead_letter_policy")
    assert f"google_pubsub_topic.{dead_letter_topic_resource()}[" in policy["dead_letter_topic"]
    assert tf.expands_to(policy["max_delivery_attempts"], "local.topology.subscription_defaults")
    assert "retry_policy" in subscription
    assert "oidc_token" in block(subscription, "push_config")


def test_published_and_subscribed_topics_are_topology_topics() -> None:
    topics = topology()["topics"].keys()
    for name, spec in topology_functions().items():
        used = set(spec.get("publishes") or []) | set(spec.get("subscribes") or [])
        assert used <= topics, f"{name} names unknown topics {sorted(used - topics)}"


def test_every_sql_table_and_view_is_declared_in_terraform() -> None:
    declared = terraform().locals
    assert sql_definitions("schema", "TABLE") == set(declared["bq_tables"])
    assert sql_definitions("views", "VIEW") == set(declared["bq_views"])
    assert {p.stem for p in (SQL / "functions").glob("*.sql")} == set(declared["bq_functions"])
    assert sql_functions(), "the functions files create functions"


def sql_functions() -> set[str]:
    """The persistent SQL functions of bigquery_sql/functions/ (several per file)."""
    return {
        name
        for path in (SQL / "functions").glob("*.sql")
        for kind, name in _CREATE.findall(sql_without_comments(path))
        if kind.upper() == "FUNCTION"
    }


def test_views_are_created_after_the_views_they_read() -> None:
    """BigQuery refuses a view whose source does not exist yet: bq_views' order must follow the
    SQL's own dependencies (the DuckDB warehouse orders by the same graph)."""
    order = terraform().locals["bq_views"]
    position = {view: index for index, view in enumerate(order)}
    for view, reads in view_dependencies(SQL).items():
        for source in reads:
            assert position[source] < position[view], f"{view} reads {source}: list it before"


def test_every_referenced_table_is_declared_in_terraform() -> None:
    declared = set(terraform().locals["bq_tables"]) | set(terraform().locals["bq_views"])
    declared |= sql_functions()
    paths = sorted([*(SQL / "queries").glob("*.sql"), *(SQL / "views").glob("*.sql")])
    assert paths
    for path in paths:
        referenced = set(_DATASET_REF.findall(sql_without_comments(path)))
        unknown = referenced - declared
        assert not unknown, f"{path.relative_to(ROOT)} reads undeclared {sorted(unknown)}"


@pytest.mark.parametrize(
    ("folder", "names"),
    [("functions", "bq_functions"), ("schema", "bq_tables")],
)
def test_bigquery_jobs_run_each_declared_file(folder: str, names: str) -> None:
    tf = terraform()
    jobs = [
        job
        for job in tf.of_type("google_bigquery_job").values()
        if tf.expands_to(job.get("for_each"), f"local.{names}")
    ]
    assert len(jobs) == 1, f"one google_bigquery_job per entry of local.{names}"
    sql_file = f"${{path.module}}/../bigquery_sql/{folder}/${{each.key}}.sql"
    assert block(jobs[0], "query")["query"] == f'${{file("{sql_file}")}}'
    assert sql_file in jobs[0]["job_id"], "the job id hashes the file, so an edit runs again"


def test_one_job_creates_every_view_in_order() -> None:
    """The views run as one script of their files joined in bq_views' order; its job id hashes
    the script, so an edit to any view runs it again."""
    tf = terraform()
    script = tf.locals["bq_views_script"]
    assert tf.expands_to(script, "local.bq_views")
    assert "${path.module}/../bigquery_sql/views/${view}.sql" in str(script)
    (job,) = [j for j in tf.of_type("google_bigquery_job").values() if "views_script" in str(j)]
    assert block(job, "query")["query"] == "${local.bq_views_script}"
    assert "sha256(local.bq_views_script)" in job["job_id"]
    for path in (SQL / "views").glob("*.sql"):
        assert sql_without_comments(path).rstrip().endswith(";"), f"{path.name}: end with ;"


def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(OPENAPI.read_text(encoding="utf-8"))
    return document


def gateway_template_variables() -> set[str]:
    """The variable names the api config passes to templatefile(openapi.yaml, {...})."""
    config = single_resource("google_api_gateway_api_config")
    contents = str(block(block(config, "openapi_documents"), "document")["contents"])
    assert 'templatefile("${path.module}/../shared/http/openapi.yaml"' in contents
    iterated = re.search(r"\{for (\w+)(?:, \w+)? in (?:keys\()?local\.(\w+)\)? : \1 =>", contents)
    if iterated is None:  # an explicit object: {org_api = ..., campaigns_api = ...}
        arguments = contents.split('openapi.yaml",', 1)[1]
        return set(re.findall(r"[{,]\s*(\w+)\s*=(?!=)", arguments))
    source = terraform().locals[iterated.group(2)]
    assert terraform().expands_to(source, "local.topology.functions")
    assert re.search(r'\bif \w+\.trigger == "api"', str(source)), source
    return http_functions()


def test_gateway_passes_a_variable_for_every_openapi_backend() -> None:
    text = OPENAPI.read_text(encoding="utf-8")
    backends = openapi_document()["x-google-api-management"]["backends"]
    for name, backend in backends.items():
        assert backend["address"] == f"${{{name}}}"
    assert set(_PLACEHOLDER.findall(text)) == set(backends)
    assert set(backends) <= gateway_template_variables()


def test_openapi_backends_are_exactly_the_http_functions() -> None:
    backends = set(openapi_document()["x-google-api-management"]["backends"])
    assert backends == http_functions()
    routed = {
        operation["x-google-backend"]
        for item in openapi_document()["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict) and "x-google-backend" in operation
    }
    assert routed <= backends


@pytest.mark.parametrize(
    ("section", "resource_type"),
    [("queues", "google_cloud_tasks_queue"), ("schedules", "google_cloud_scheduler_job")],
)
def test_queues_and_schedules_target_topology_functions(section: str, resource_type: str) -> None:
    for name, spec in topology_section(section).items():
        assert spec["target_function"] in topology_functions(), f"{section}.{name}"
    resource = single_resource(resource_type)
    assert terraform().expands_to(resource["for_each"], f"local.topology.{section}")


def test_every_queue_sets_rate_limits_and_retry_config() -> None:
    queue = single_resource("google_cloud_tasks_queue")
    assert set(block(queue, "rate_limits")) == {
        "max_dispatches_per_second",
        "max_concurrent_dispatches",
    }
    assert set(block(queue, "retry_config")) >= {
        "max_attempts",
        "min_backoff",
        "max_backoff",
        "max_doublings",
    }


def test_every_resource_reference_names_a_declared_resource_or_data_source() -> None:
    """A renamed resource breaks `terraform validate`; catch it here, where providers are
    not needed."""
    text = "\n".join(path.read_text() for path in sorted((ROOT / "terraform").glob("*.tf")))
    declared = {
        f"{kind}.{name}"
        for kind, name in re.findall(r'^resource "(\w+)" "(\w+)"', text, flags=re.MULTILINE)
    }
    declared |= {
        f"data.{kind}.{name}"
        for kind, name in re.findall(r'^data "(\w+)" "(\w+)"', text, flags=re.MULTILINE)
    }
    referenced = {
        match
        for match in re.findall(r"(?<![\w.\"])((?:data\.)?google[\w-]*_\w+\.\w+)", text)
        if not match.startswith("google.")
    }
    missing = sorted(ref for ref in referenced if ref not in declared)
    assert missing == []
