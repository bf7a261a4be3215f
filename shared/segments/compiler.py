"""Rule segments as ONE warehouse SQL statement, built as a sqlglot tree (BigQuery dialect).

Every segment of a batch is read from the same per-person activity (one scan of
reachops.journey_events, one aggregate column per distinct event measure, shared between
segments), joined to reachops.people, and each segment's criteria become one boolean
expression over those columns. User values never enter the SQL text: every operand is a named
@parameter (p0, p1, ...), and field and event names come from the fixed lists of
shared/segments/criteria.py, so the text depends only on the criteria's shape.

Semantics, the same in BigQuery and DuckDB:
- events after `as_of` are ignored, so an evaluation is reproducible for its time;
- a person with no events has counts and sums of 0 and no first/last seen time;
- a comparison on a time a person lacks is false (and its `not` true): two-valued logic;
- `days_since_x op n` counts whole days (floor) from x to as_of, compared as timestamps
  (engines differ on day differences, not on timestamp order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlglot import exp

from shared.segments.criteria import DAYS_FIELDS, EventRule, FieldRule, Group, Node, Not, Op

EVENTS_TABLE = "reachops.journey_events"
PEOPLE_TABLE = "reachops.people"
_COMPARE: dict[Op, type[exp.Binary]] = {
    "=": exp.EQ,
    "!=": exp.NEQ,
    "<": exp.LT,
    "<=": exp.LTE,
    ">": exp.GT,
    ">=": exp.GTE,
}


@dataclass(frozen=True)
class Compiled:
    sql: str
    params: dict[str, Any]


@dataclass
class _Builder:
    as_of: datetime
    params: dict[str, Any] = field(default_factory=dict)
    measures: dict[tuple[Any, ...], str] = field(default_factory=dict)
    measure_sql: list[exp.Expr] = field(default_factory=list)

    def param(self, value: Any) -> exp.Parameter:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return exp.Parameter(this=exp.var(name))

    def measure(self, rule: EventRule) -> exp.Column:
        """The aggregate column of one event measure, shared by every rule that asks for it."""
        key = (rule.event, rule.within_days, rule.channel, rule.measure, rule.currency)
        if key not in self.measures:
            name = f"m{len(self.measures)}"
            self.measures[key] = name
            match: exp.Expr = exp.column("event").eq(self.param(rule.event))
            if rule.within_days is not None:
                since = self.param(self.as_of - timedelta(days=rule.within_days))
                match = exp.and_(match, exp.GTE(this=exp.column("occurred_at"), expression=since))
            if rule.channel is not None:
                match = exp.and_(match, exp.column("channel").eq(self.param(rule.channel)))
            if rule.currency is not None:
                match = exp.and_(match, exp.column("currency").eq(self.param(rule.currency)))
            aggregate: exp.Expr = (
                exp.func("COUNTIF", match)
                if rule.measure == "count"
                else exp.Sum(this=exp.If(this=match, true=exp.column("value_micros")))
            )
            self.measure_sql.append(exp.alias_(aggregate, name))
        return exp.column(self.measures[key])

    def node(self, node: Node) -> exp.Expr:
        if isinstance(node, Group):
            parts = [exp.paren(self.node(item)) for item in node.items]
            return exp.and_(*parts) if node.kind == "all" else exp.or_(*parts)
        if isinstance(node, Not):
            return exp.Not(this=exp.paren(self.node(node.item)))
        if isinstance(node, EventRule):
            total = exp.func("COALESCE", self.measure(node), exp.Literal.number(0))
            return _COMPARE[node.op](this=total, expression=self.param(node.amount))
        return exp.func("COALESCE", self.field(node), exp.false())

    def field(self, rule: FieldRule) -> exp.Expr:
        if rule.field not in DAYS_FIELDS:
            return _COMPARE[rule.op](this=exp.column(rule.field), expression=self.param(rule.value))
        column = exp.column(DAYS_FIELDS[rule.field])
        days = rule.value  # whole days since: floor((as_of - t) / 1 day) op n
        assert isinstance(days, int)  # parse_criteria gives a days_since_* field days

        def at_most(n: int) -> exp.Expr:  # days since >= n
            return exp.LTE(this=column.copy(), expression=self.param(self.as_of - timedelta(n)))

        def exact() -> exp.Expr:
            return exp.and_(exp.Not(this=exp.paren(at_most(days + 1))), at_most(days))

        choices: dict[Op, Callable[[], exp.Expr]] = {
            ">=": lambda: at_most(days),
            ">": lambda: at_most(days + 1),
            "<": lambda: exp.Not(this=exp.paren(at_most(days))),
            "<=": lambda: exp.Not(this=exp.paren(at_most(days + 1))),
            "=": exact,
            "!=": lambda: exp.Not(this=exp.paren(exact())),
        }
        return choices[rule.op]()


def _persons(builder: _Builder, org: exp.Parameter) -> exp.Select:
    activity = (
        exp.select(
            "person_id",
            exp.alias_(exp.Min(this=exp.column("occurred_at")), "first_seen_at"),
            exp.alias_(exp.Max(this=exp.column("occurred_at")), "last_seen_at"),
            *builder.measure_sql,
        )
        .from_(EVENTS_TABLE)
        .where(exp.column("org_id").eq(org.copy()))
        .where(exp.column("person_id").is_(exp.null()).not_())
        .where(exp.LTE(this=exp.column("occurred_at"), expression=builder.param(builder.as_of)))
        .group_by("person_id")
    )
    return (
        exp.select(
            exp.column("person_id", "p"),
            exp.column("created_at", "p"),
            exp.column("updated_at", "p"),
            exp.column("first_seen_at", "a"),
            exp.column("last_seen_at", "a"),
            *(exp.column(name, "a") for name in builder.measures.values()),
        )
        .from_(exp.alias_(exp.to_table(PEOPLE_TABLE), "p", table=True))
        .join(
            activity.subquery("a"),
            on=exp.column("person_id", "a").eq(exp.column("person_id", "p")),
            join_type="left",
        )
        .where(exp.column("org_id", "p").eq(org.copy()))
    )


def compile_members(org_id: str, segments: Sequence[tuple[str, Node]], as_of: datetime) -> Compiled:
    """(segment_id, person_id) rows of every segment given, in one statement."""
    if not segments:
        raise ValueError("compile_members needs at least one segment")
    builder = _Builder(as_of=as_of)
    org = builder.param(org_id)
    filters = [(builder.param(key), builder.node(node)) for key, node in segments]
    persons = _persons(builder, org)
    branches = [
        exp.select(exp.alias_(key, "segment_id"), "person_id").from_("persons").where(condition)
        for key, condition in filters
    ]
    union: exp.Query = branches[0]
    for branch in branches[1:]:
        union = exp.union(union, branch, distinct=False)
    statement = union.with_("persons", as_=persons)
    return Compiled(statement.sql("bigquery"), builder.params)


def compile_counts(org_id: str, segments: Sequence[tuple[str, Node]], as_of: datetime) -> Compiled:
    """One row: each segment's member count as a column named by its position (s0, s1, ...),
    over the same persons and rules as compile_members (what the benchmark times)."""
    builder = _Builder(as_of=as_of)
    org = builder.param(org_id)
    counts = [
        exp.alias_(exp.func("COUNTIF", builder.node(node)), f"s{i}")
        for i, (_, node) in enumerate(segments)
    ]
    statement = exp.select(*counts).from_("persons").with_("persons", as_=_persons(builder, org))
    return Compiled(statement.sql("bigquery"), builder.params)
